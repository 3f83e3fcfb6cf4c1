/*
 * The smallest router section, and a VRF to build on, for the config tests
 * (test_common_config.c, test_common_config_refused.c).
 */
#ifndef TEST_COMMON_CONFIG_H
#define TEST_COMMON_CONFIG_H

#define R "\"router\":{\"name\":\"pe1\",\"router_id\":\"10.255.0.1\",\"asn\":65000}"
#define VRF_A "{\"name\":\"A\",\"rd\":\"65000:1\",\"interfaces\":[{\"name\":\"ce-a1\",\"address\":\"10.1.1.1/30\"}]"

#endif
