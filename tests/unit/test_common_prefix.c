/* common/prefix.c: IPv4 address and prefix parse/format round trips and rejects. */
#include <criterion/criterion.h>
#include <errno.h>

#include "common/prefix.h"

Test(prefix, ipv4_round_trip)
{
	static const char *const ok[] = { "0.0.0.0", "10.255.0.1", "255.255.255.255", "192.168.100.10",
					  "1.2.3.4" };
	char buf[IPV4_STRLEN];
	uint32_t a;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(ipv4_parse(ok[i], &a), 0, "%s", ok[i]);
		cr_assert_str_eq(ipv4_format(a, buf), ok[i]);
	}
	cr_assert_eq(ipv4_parse("10.255.0.1", &a), 0);
	cr_assert_eq(a, 0x0aff0001u);
}

Test(prefix, ipv4_rejects)
{
	static const char *const bad[] = { "", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.4 ",
					   " 1.2.3.4", "1..3.4", "01.2.3.4", "0x1.2.3.4", "1.2.3.-4",
					   "1.2.3.4/24", "a.b.c.d", "1.2.3.", ".1.2.3", "1234.1.1.1" };
	uint32_t a = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(ipv4_parse(bad[i], &a), -EINVAL, "%s", bad[i]);
	cr_assert_eq(a, 42, "output untouched on failure");
	cr_assert_eq(ipv4_parse(NULL, &a), -EINVAL);
}

Test(prefix, netmask)
{
	cr_assert_eq(prefix4_netmask(0), 0);
	cr_assert_eq(prefix4_netmask(1), 0x80000000u);
	cr_assert_eq(prefix4_netmask(24), 0xffffff00u);
	cr_assert_eq(prefix4_netmask(30), 0xfffffffcu);
	cr_assert_eq(prefix4_netmask(32), 0xffffffffu);
}

Test(prefix, prefix_round_trip)
{
	static const char *const ok[] = { "0.0.0.0/0", "10.0.0.0/8", "192.168.100.0/24",
					  "10.255.0.2/32", "10.1.1.0/30", "128.0.0.0/1" };
	char buf[PREFIX4_STRLEN];
	struct prefix4 p;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(prefix4_parse(ok[i], &p), 0, "%s", ok[i]);
		cr_assert_str_eq(prefix4_format(&p, buf), ok[i]);
	}
	cr_assert_eq(prefix4_parse("255.255.255.255/32", &p), 0);
	cr_assert_str_eq(prefix4_format(&p, buf), "255.255.255.255/32");
}

Test(prefix, prefix_rejects)
{
	static const char *const bad[] = { "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.1/24",
					   "10.0.0.0/-1", "10.0.0.0/24x", "10.0.0.0/08", "/24",
					   "10.0.0/24", "10.0.0.0 /24" };
	struct prefix4 p = { 7, 7 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(prefix4_parse(bad[i], &p), -EINVAL, "%s", bad[i]);
	cr_assert(p.addr == 7 && p.len == 7);
}

Test(prefix, ifaddr_keeps_host_bits)
{
	struct prefix4 p;

	cr_assert_eq(ifaddr4_parse("10.1.1.1/30", &p), 0);
	cr_assert_eq(p.addr, 0x0a010101u);
	cr_assert_eq(p.len, 30);
	cr_assert_eq(ifaddr4_parse("10.1.1.1/33", &p), -EINVAL);
	cr_assert_eq(ifaddr4_parse("10.1.1.1", &p), -EINVAL);
	prefix4_normalize(&p);
	cr_assert_eq(p.addr, 0x0a010100u);
}

Test(prefix, contains_equal)
{
	struct prefix4 p, q, all = { 0, 0 };
	uint32_t a;

	cr_assert_eq(prefix4_parse("192.168.101.0/24", &p), 0);
	cr_assert_eq(ipv4_parse("192.168.101.20", &a), 0);
	cr_assert(prefix4_contains(&p, a));
	cr_assert_eq(ipv4_parse("192.168.100.20", &a), 0);
	cr_assert_not(prefix4_contains(&p, a));
	cr_assert(prefix4_contains(&all, a));
	q = p;
	cr_assert(prefix4_equal(&p, &q));
	q.len = 25;
	cr_assert_not(prefix4_equal(&p, &q));
}
