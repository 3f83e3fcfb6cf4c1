/*
 * The addressing of the test PEs test_fwd_pe.h and test_fwd_vector.h build:
 * their links' MACs, their neighbours' (P on each core link, a CE on each
 * attachment link) and addresses, and two customer hosts. One copy, so the
 * two fixtures cannot drift apart.
 */
#ifndef TEST_FWD_ADDRS_H
#define TEST_FWD_ADDRS_H

#include <stdint.h>

#include "test_fwd_util.h"

static __attribute__((unused)) const uint8_t mac_core0[6] = { 2, 0, 0, 0, 0xc0, 0 };
static __attribute__((unused)) const uint8_t mac_core1[6] = { 2, 0, 0, 0, 0xc1, 0 };
static __attribute__((unused)) const uint8_t mac_ce_a[6] = { 2, 0, 0, 0, 0xa1, 0 };
static __attribute__((unused)) const uint8_t mac_ce_b[6] = { 2, 0, 0, 0, 0xb1, 0 };
static __attribute__((unused)) const uint8_t mac_p[6] = { 2, 0, 0, 0, 0x99, 1 };   /* P on core0 */
static __attribute__((unused)) const uint8_t mac_p2[6] = { 2, 0, 0, 0, 0x99, 2 };  /* P on core1 */
static __attribute__((unused)) const uint8_t mac_cea[6] = { 2, 0, 0, 0, 0xaa, 2 }; /* CE of A */
static __attribute__((unused)) const uint8_t mac_ceb[6] = { 2, 0, 0, 0, 0xbb, 2 }; /* CE of B */
static __attribute__((unused)) const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define P_ADDR t_ip(10, 0, 1, 2)
#define P2_ADDR t_ip(10, 0, 2, 2)
#define CEA_ADDR t_ip(10, 1, 1, 2)
#define CEB_ADDR t_ip(10, 2, 1, 2)
#define SITE1 t_ip(192, 168, 100, 10)
#define SITE2 t_ip(192, 168, 101, 10)

#endif
