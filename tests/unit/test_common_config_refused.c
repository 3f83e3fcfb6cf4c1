/*
 * common/config*.c refusing what it must: each kind of bad field gives its
 * exact message ("file: json.path: what is wrong (want expected form)") and
 * leaves nothing allocated.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "test_common_config.h"

#define LSP_LABEL(l) "{" R ",\"lsps\":[{\"fec\":\"10.255.0.2/32\",\"out_label\":" l ",\"next_hop\":\"10.0.1.2\",\"interface\":\"core0\"}]}"
/* one LSP on interface i toward next hop n; core0 is 10.0.1.1/30, core1 10.0.2.1/24 */
#define LSP(i, n) "{" R ",\"vrfs\":[" VRF_A "}],\"lsps\":[{\"fec\":\"10.255.0.2/32\",\"out_label\":16," \
	"\"next_hop\":\"" n "\",\"interface\":\"" i "\"}],\"fwd\":{\"core_interfaces\":[{\"name\":" \
	"\"core0\",\"address\":\"10.0.1.1/30\"},{\"name\":\"core1\",\"address\":\"10.0.2.1/24\"}]}}"
#define LFIB(e) "{" R ",\"fwd\":{\"lfib\":[{\"in_label\":16," e "\"next_hop\":\"10.0.0.1\",\"interface\":\"x\"}]}}"
/* a P router's swap toward next hop n on interface i, core0 and core1 configured */
#define LFIB_ON(i, n) "{" R ",\"fwd\":{\"lfib\":[{\"in_label\":16,\"action\":\"swap\",\"out_label\":17," \
	"\"next_hop\":\"" n "\",\"interface\":\"" i "\"}],\"core_interfaces\":[{\"name\":" \
	"\"core0\",\"address\":\"10.0.1.1/30\"},{\"name\":\"core1\",\"address\":\"10.0.2.1/24\"}]}}"

#define RD_FORM "(want ASN:NN (ASN 0..65535, NN 0..4294967295), IP:NN (NN 0..65535), " \
	"ASN4:NN (ASN4 65536..4294967295, NN 0..65535) or ASNL:NN (ASN 0..65535 as a four-octet " \
	"AS, NN 0..65535), decimal without leading zeros)"
#define RT_FORM "(want ASN:NN (ASN 0..65535, NN 0..4294967295), IP:NN (NN 0..65535), " \
	"ASN4:NN (ASN4 65536..4294967295, NN 0..65535) or ASNL:NN (ASN 0..65535 as a four-octet " \
	"AS, NN 0..65535), decimal without leading zeros, optionally after rt: or target:)"

struct bad_case {
	const char *json;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	/* structure */
	{ "[]", "t.json: top level: [] is not an object (want { ... } with the keys router, bgp, "
		"vrfs, lsps, fwd, api)" },
	{ "{}", "t.json: router: missing (want the router section)" },
	{ "{\"router\":[]}", "t.json: router: [] is not an object (want { ... } with the keys name, "
			    "router_id, asn, run_dir, label_range, label_hold_down, dataplane)" },
	/* a static route written as its prefix alone: what its object holds is named */
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"static_routes\":[\"10.0.0.0/8\"]}]}",
	  "t.json: vrfs[0].static_routes[0] (VRF A): \"10.0.0.0/8\" is not an object (want { ... } with the "
	  "keys prefix, next_hop, interface, distance)" },
	{ "{" R ",\"vrf\":[]}",
	  "t.json: vrf: unknown key (want one of router, bgp, vrfs, lsps, fwd, api)" },
	/* keys with control characters are quoted and escaped: the message stays one line */
	{ "{\"a\\nb\\u001b[31m\\\"\":1}",
	  "t.json: \"a\\u000ab\\u001b[31m\\\"\": unknown key (want one of router, bgp, vrfs, lsps, fwd, "
	  "api)" },
	{ "{\"router\":{\"name\":\"pe1\",\"rotuer_id\":\"1.1.1.1\",\"asn\":1}}",
	  "t.json: router.rotuer_id: unknown key (want one of name, router_id, asn, run_dir, "
	  "label_range, label_hold_down, dataplane)" },
	/* router.dataplane, and what the kernel dataplane cannot take */
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":1,\"dataplane\":\"Kernel\"}}",
	  "t.json: router.dataplane: \"Kernel\" is not a dataplane (want \"fwd\" or \"kernel\")" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":1,\"dataplane\":1}}",
	  "t.json: router.dataplane: 1 is not a dataplane (want \"fwd\" or \"kernel\")" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":1,\"dataplane\":\"kernel\"},"
	  "\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\"},{\"name\":\"cust-1234567\",\"rd\":\"1:2\"}]}",
	  "t.json: vrfs[1].name: \"cust-1234567\" is too long for the kernel dataplane: its VRF "
	  "device \"vrf-cust-1234567\" would have 16 characters (want at most 11 characters with "
	  "router.dataplane \"kernel\": Linux interface names have at most 15)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":1,\"dataplane\":\"kernel\"},"
	  "\"fwd\":{\"mode\":\"lsr\"}}",
	  "t.json: router.dataplane: \"kernel\" with fwd.mode \"lsr\": the kernel dataplane is "
	  "vrfmgr's, and an LSR runs no vrfmgr (want \"fwd\", or fwd.mode \"pe\")" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":1,\"dataplane\":\"kernel\"},"
	  "\"fwd\":{\"core_interfaces\":[{\"name\":\"core0\",\"address\":\"10.0.1.1/30\"}],"
	  "\"lfib\":[{\"in_label\":16,\"action\":\"pop\",\"next_hop\":\"10.0.1.2\",\"interface\":\"core0\"}]}}",
	  "t.json: fwd.lfib: 1 static entry with router.dataplane \"kernel\": nothing would "
	  "program them (want none; vrfmgr programs only its own labels)" },
	/* router */
	{ "{\"router\":{\"router_id\":\"1.1.1.1\",\"asn\":1}}",
	  "t.json: router.name: missing (want a name)" },
	{ "{\"router\":{\"name\":\"pe 1\",\"router_id\":\"1.1.1.1\",\"asn\":1}}",
	  "t.json: router.name: \"pe 1\" is not a name (want 1..31 characters of A-Z a-z 0-9 . _ -, not . or ..)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1\",\"asn\":1}}",
	  "t.json: router.router_id: \"1.1.1\" is not an IPv4 address (want a.b.c.d)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"0.0.0.0\",\"asn\":1}}",
	  "t.json: router.router_id: \"0.0.0.0\" is not a router ID (want a unicast IPv4 address: "
	  "not 0.0.0.0, 255.255.255.255 or multicast 224.0.0.0/4)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"224.0.0.1\",\"asn\":1}}",
	  "t.json: router.router_id: \"224.0.0.1\" is not a router ID (want a unicast IPv4 address: "
	  "not 0.0.0.0, 255.255.255.255 or multicast 224.0.0.0/4)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"239.255.255.255\",\"asn\":1}}",
	  "t.json: router.router_id: \"239.255.255.255\" is not a router ID (want a unicast IPv4 address: "
	  "not 0.0.0.0, 255.255.255.255 or multicast 224.0.0.0/4)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"255.255.255.255\",\"asn\":1}}",
	  "t.json: router.router_id: \"255.255.255.255\" is not a router ID (want a unicast IPv4 address: "
	  "not 0.0.0.0, 255.255.255.255 or multicast 224.0.0.0/4)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":\"65000\"}}",
	  "t.json: router.asn: \"65000\" is not an AS number (want an integer 1..4294967295)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":1.5}}",
	  "t.json: router.asn: 1.5 is not an AS number (want an integer 1..4294967295)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":0}}",
	  "t.json: router.asn: 0 is out of range (want an integer 1..4294967295)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":4294967296}}",
	  "t.json: router.asn: 4294967296 is out of range (want an integer 1..4294967295)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":1,\"run_dir\":\"run\"}}",
	  "t.json: router.run_dir: \"run\" is not a directory (want an absolute path of at most 91 "
	  "characters)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":1,"
	  "\"label_range\":{\"min\":5,\"max\":100}}}",
	  "t.json: router.label_range.min: 5 is out of range (want an integer 16..1048575)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":1,"
	  "\"label_range\":{\"min\":200,\"max\":100}}}",
	  "t.json: router.label_range: min 200 is above max 100 (want min <= max)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":1,"
	  "\"label_range\":{\"min\":16}}}",
	  "t.json: router.label_range.max: missing (want a label)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":1,"
	  "\"label_hold_down\":3601}}",
	  "t.json: router.label_hold_down: 3601 is out of range (want an integer 0..3600)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"1.1.1.1\",\"asn\":1,"
	  "\"label_hold_down\":\"60s\"}}",
	  "t.json: router.label_hold_down: \"60s\" is not a number of seconds (want an integer 0..3600)" },
	/* bgp */
	{ "{" R ",\"bgp\":{\"hold_time\":2}}",
	  "t.json: bgp.hold_time: 2 is out of range (want 0, or 3..65535 seconds)" },
	{ "{" R ",\"bgp\":{\"hold_time\":65536}}",
	  "t.json: bgp.hold_time: 65536 is out of range (want 0, or 3..65535 seconds)" },
	{ "{" R ",\"bgp\":{\"port\":\"179\"}}",
	  "t.json: bgp.port: \"179\" is not a TCP port (want an integer 1..65535)" },
	{ "{" R ",\"bgp\":{\"neighbors\":{}}}",
	  "t.json: bgp.neighbors: {} is not a list of neighbors (want [{ \"address\": ..., ... }])" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"remote_as\":65000}]}}",
	  "t.json: bgp.neighbors[0].address: missing (want an IPv4 address)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"1.1.1.1\",\"remote_as\":1,\"passive\":\"yes\"}]}}",
	  "t.json: bgp.neighbors[0].passive (neighbor 1.1.1.1): \"yes\" is not a boolean (want true or false)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"1.1.1.1\",\"remote_as\":1},"
	  "{\"address\":\"1.1.1.1\",\"remote_as\":2}]}}",
	  "t.json: bgp.neighbors[1].address: \"1.1.1.1\" is already used by bgp.neighbors[0] (want "
	  "one entry per neighbor)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"0.0.0.0\",\"remote_as\":1}]}}",
	  "t.json: bgp.neighbors[0].address: \"0.0.0.0\" is not a neighbor (want a peer's "
	  "address, a unicast IPv4 address: not 0.0.0.0, 255.255.255.255 or multicast "
	  "224.0.0.0/4)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"224.0.0.5\",\"remote_as\":1}]}}",
	  "t.json: bgp.neighbors[0].address: \"224.0.0.5\" is not a neighbor (want a peer's "
	  "address, a unicast IPv4 address: not 0.0.0.0, 255.255.255.255 or multicast "
	  "224.0.0.0/4)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"255.255.255.255\",\"remote_as\":1}]}}",
	  "t.json: bgp.neighbors[0].address: \"255.255.255.255\" is not a neighbor (want a peer's "
	  "address, a unicast IPv4 address: not 0.0.0.0, 255.255.255.255 or multicast "
	  "224.0.0.0/4)" },
	/* a neighbour is not this router itself (R's router ID is 10.255.0.1) */
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.255.0.2\",\"remote_as\":1},"
	  "{\"address\":\"10.255.0.1\",\"remote_as\":1}]}}",
	  "t.json: bgp.neighbors[1].address: \"10.255.0.1\" is this router's own address, "
	  "router.router_id (want a peer's address)" },
	{ "{" R ",\"bgp\":{\"listen\":\"10.0.0.1\",\"neighbors\":[{\"address\":\"10.0.0.1\","
	  "\"remote_as\":1}]}}",
	  "t.json: bgp.neighbors[0].address: \"10.0.0.1\" is this router's own address, bgp.listen "
	  "(want a peer's address)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.0.0.1\",\"remote_as\":1,"
	  "\"local_address\":\"10.0.0.1\"}]}}",
	  "t.json: bgp.neighbors[0].address: \"10.0.0.1\" is this router's own address, its "
	  "local_address (want a peer's address)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.0.1.1\",\"remote_as\":1}]},"
	  "\"fwd\":{\"core_interfaces\":[{\"name\":\"core0\",\"address\":\"10.0.1.1/30\"}]}}",
	  "t.json: bgp.neighbors[0].address: \"10.0.1.1\" is this router's own address, "
	  "fwd.core_interfaces[0].address (want a peer's address)" },
	/* bgp options (common/config_bgp.c) */
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"1.1.1.1\",\"remote_as\":1,"
	  "\"families\":[\"vpnv6\"]}]}}",
	  "t.json: bgp.neighbors[0].families[0] (neighbor 1.1.1.1): \"vpnv6\" is not an address family (want \"vpnv4\", "
	  "\"ipv4\" or \"rtc\")" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"1.1.1.1\",\"remote_as\":1,"
	  "\"families\":[]}]}}",
	  "t.json: bgp.neighbors[0].families (neighbor 1.1.1.1): [] is not a list of address families (want "
	  "a non-empty list of \"vpnv4\", \"ipv4\", \"rtc\", e.g. [\"vpnv4\", \"rtc\"])" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"1.1.1.1\",\"remote_as\":1,"
	  "\"families\":[\"ipv4\",\"rtc\"]}]}}",
	  "t.json: bgp.neighbors[0].families (neighbor 1.1.1.1): \"rtc\" (route target constraint) needs \"vpnv4\" "
	  "in the same list" },
	/* an escaped NUL ended the text at "vpnv4"; a family twice is a slip, as an RT twice */
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"1.1.1.1\",\"remote_as\":1,"
	  "\"families\":[\"vpnv4\\u0000x\"]}]}}",
	  "t.json: bgp.neighbors[0].families[0] (neighbor 1.1.1.1): \"vpnv4\\u0000x\" is not an address family (want "
	  "\"vpnv4\", \"ipv4\" or \"rtc\")" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"1.1.1.1\",\"remote_as\":1,"
	  "\"families\":[\"ipv4\",\"vpnv4\",\"ipv4\"]}]}}",
	  "t.json: bgp.neighbors[0].families[2] (neighbor 1.1.1.1): \"ipv4\" is already bgp.neighbors[0].families[0] "
	  "(want each address family once)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"1.1.1.1\",\"remote_as\":1,"
	  "\"password\":\"\"}]}}",
	  "t.json: bgp.neighbors[0].password (neighbor 1.1.1.1): \"\" is not a TCP-MD5 password (want a string of 1 to "
	  "80 characters (RFC 2385))" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"1.1.1.1\",\"remote_as\":1,"
	  "\"max_prefix\":{\"warn_only\":true}}]}}",
	  "t.json: bgp.neighbors[0].max_prefix.limit (neighbor 1.1.1.1): missing (want a route count)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"1.1.1.1\",\"remote_as\":1,"
	  "\"max_prefix\":{\"limit\":10,\"rtc_limit\":0}}]}}",
	  "t.json: bgp.neighbors[0].max_prefix.rtc_limit (neighbor 1.1.1.1): 0 is out of range (want an integer "
	  "1..4294967295)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"1.1.1.1\",\"remote_as\":1,"
	  "\"delay_open\":241}]}}",
	  "t.json: bgp.neighbors[0].delay_open (neighbor 1.1.1.1): 241 is out of range (want an integer 0..240 seconds "
	  "(0: off))" },
	{ "{" R ",\"bgp\":{\"graceful_restart\":{\"restart_time\":5000}}}",
	  "t.json: bgp.graceful_restart.restart_time: 5000 is out of range (want an integer 1..4095 "
	  "seconds)" },
	/* vrfs */
	{ "{" R ",\"vrfs\":[" VRF_A "},{\"name\":\"B\",\"rd\":\"65000\"}]}",
	  "t.json: vrfs[1].rd (VRF B): \"65000\" is not a route distinguisher " RD_FORM },
	/* leading zeros: the RD would print (and be compared in logs) as another text */
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"065000:1\"}]}",
	  "t.json: vrfs[0].rd (VRF A): \"065000:1\" is not a route distinguisher " RD_FORM },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"10.255.0.1:0100\"}]}",
	  "t.json: vrfs[0].rd (VRF A): \"10.255.0.1:0100\" is not a route distinguisher " RD_FORM },
	/* past a type's sizes: a 4-byte AS leaves 2 bytes for the number (RFC 4364 4.2) */
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"65536:65536\"}]}",
	  "t.json: vrfs[0].rd (VRF A): \"65536:65536\" is not a route distinguisher " RD_FORM },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\"}]}",
	  "t.json: vrfs[0].rd (VRF A): missing (want a route distinguisher)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"\",\"rd\":\"1:1\"}]}",
	  "t.json: vrfs[0].name: \"\" is not a name (want 1..31 characters of A-Z a-z 0-9 . _ -, not . or ..)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"abcdefghijklmnopqrstuvwxyz012345\",\"rd\":\"1:1\"}]}",
	  "t.json: vrfs[0].name: \"abcdefghijklmnopqrstuvwxyz012345\" is not a name (want 1..31 "
	  "characters of A-Z a-z 0-9 . _ -, not . or ..)" },
	{ "{" R ",\"vrfs\":[" VRF_A "},{\"name\":\"A\",\"rd\":\"1:2\"}]}",
	  "t.json: vrfs[1].name: \"A\" is already used by vrfs[0] (want a unique VRF name)" },
	{ "{" R ",\"vrfs\":[" VRF_A "},{\"name\":\"B\",\"rd\":\"65000:1\"}]}",
	  "t.json: vrfs[1].rd (VRF B): \"65000:1\" is already used by vrfs[0] (VRF A) (want a unique route "
	  "distinguisher per VRF)" },
	/* name in vrfs[1], RD in vrfs[0]: the earlier VRF is named, as the pairwise scan did */
	{ "{" R ",\"vrfs\":[{\"name\":\"X\",\"rd\":\"1:1\"},{\"name\":\"Y\",\"rd\":\"1:2\"},"
	  "{\"name\":\"Y\",\"rd\":\"1:1\"}]}",
	  "t.json: vrfs[2].rd (VRF Y): \"1:1\" is already used by vrfs[0] (VRF X) (want a unique route "
	  "distinguisher per VRF)" },
	/* both in one earlier VRF: the name first */
	{ "{" R ",\"vrfs\":[{\"name\":\"X\",\"rd\":\"1:1\"},{\"name\":\"X\",\"rd\":\"1:1\"}]}",
	  "t.json: vrfs[1].name: \"X\" is already used by vrfs[0] (want a unique VRF name)" },
	/* an interface listed twice in one VRF, and a VRF's taken by the core */
	{ "{" R ",\"vrfs\":[{\"name\":\"X\",\"rd\":\"1:1\",\"interfaces\":[{\"name\":\"e1\","
	  "\"address\":\"10.2.1.1/30\"},{\"name\":\"e1\",\"address\":\"10.3.1.1/30\"}]}]}",
	  "t.json: vrfs[0].interfaces[1].name (VRF X): \"e1\" is already used by vrfs[0].interfaces[0] (VRF X) "
	  "(want each interface listed once)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"import_rts\":[\"65000\"]}]}",
	  "t.json: vrfs[0].import_rts[0] (VRF A): \"65000\" is not a route target " RT_FORM },
	/* the prefixes in lower case, as documented; the numbers as an RD's */
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"import_rts\":[\"RT:65000:1\"]}]}",
	  "t.json: vrfs[0].import_rts[0] (VRF A): \"RT:65000:1\" is not a route target " RT_FORM },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"export_rts\":[\"65000:1\","
	  "\"rt:065000:01\"]}]}",
	  "t.json: vrfs[0].export_rts[1] (VRF A): \"rt:065000:01\" is not a route target " RT_FORM },
	/* an escaped NUL would end the text early: "65000:1" and junk after it */
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"import_rts\":[\"65000:1\\u0000x\"]}]}",
	  "t.json: vrfs[0].import_rts[0] (VRF A): \"65000:1\\u0000x\" is not a route target " RT_FORM },
	/* an RT listed twice: a template's slip, often where another tenant's RT was meant */
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"import_rts\":[\"65000:1\","
	  "\"65000:2\",\"65000:1\"]}]}",
	  "t.json: vrfs[0].import_rts[2] (VRF A): \"65000:1\" is already vrfs[0].import_rts[0] (want each "
	  "route target once)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"export_rts\":[\"10.0.0.1:7\","
	  "\"10.0.0.1:7\"]}]}",
	  "t.json: vrfs[0].export_rts[1] (VRF A): \"10.0.0.1:7\" is already vrfs[0].export_rts[0] (want each "
	  "route target once)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"export_rts\":\"1:1\"}]}",
	  "t.json: vrfs[0].export_rts (VRF A): \"1:1\" is not a list of route targets (want [\"ASN:NN\", "
	  "\"IP:NN\", \"ASN4:NN\" or \"ASNL:NN\", ...])" },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"max_routes\":0}]}",
	  "t.json: vrfs[0].max_routes (VRF A): 0 is out of range (want an integer 1..10000000)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"max_routes\":10,"
	  "\"warn_threshold\":101}]}",
	  "t.json: vrfs[0].warn_threshold (VRF A): 101 is out of range (want an integer 1..100)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"warn_threshold\":50}]}",
	  "t.json: vrfs[0].warn_threshold (VRF A): not allowed without max_routes (want max_routes too, or "
	  "no warn_threshold)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"label_mode\":\"per-route\"}]}",
	  "t.json: vrfs[0].label_mode (VRF A): \"per-route\" is not a label mode (want \"per-vrf\", "
	  "\"per-ce\" or \"per-prefix\")" },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"interfaces\":[{\"name\":"
	  "\"abcdefghijklmnop\",\"address\":\"10.1.1.1/30\"}]}]}",
	  "t.json: vrfs[0].interfaces[0].name (VRF A): \"abcdefghijklmnop\" is not an interface name (want "
	  "1..15 characters, no '/', ':' or spaces)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"interfaces\":[{\"name\":\"x\","
	  "\"address\":\"10.1.1.1\"}]}]}",
	  "t.json: vrfs[0].interfaces[0].address (VRF A): \"10.1.1.1\" is not an interface address (want "
	  "a.b.c.d/len, len 1..32)" },
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"192.168.1.0/24\","
	  "\"next_hop\":\"10.1.1.2\",\"interface\":\"ce-b1\"}]}]}",
	  "t.json: vrfs[0].static_routes[0].interface (VRF A, route 192.168.1.0/24): \"ce-b1\" is not an interface of VRF A (want "
	  "one of ce-a1)" },
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"192.168.1.0/24\","
	  "\"next_hop\":\"10.9.9.9\",\"interface\":\"ce-a1\"}]}]}",
	  "t.json: vrfs[0].static_routes[0].next_hop (VRF A, route 192.168.1.0/24): \"10.9.9.9\" is not a neighbor on ce-a1 (want "
	  "another address in 10.1.1.0/30)" },
	/* a subnet's network and broadcast addresses are no host's (links shorter than /31) */
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"interfaces\":[{\"name\":\"x\","
	  "\"address\":\"10.1.1.0/30\"}]}]}",
	  "t.json: vrfs[0].interfaces[0].address (VRF A): \"10.1.1.0/30\" is the network address of "
	  "10.1.1.0/30 (want a host address in it, 10.1.1.1..10.1.1.2)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"interfaces\":[{\"name\":\"x\","
	  "\"address\":\"10.1.1.3/30\"}]}]}",
	  "t.json: vrfs[0].interfaces[0].address (VRF A): \"10.1.1.3/30\" is the broadcast address of "
	  "10.1.1.0/30 (want a host address in it, 10.1.1.1..10.1.1.2)" },
	{ "{" R ",\"fwd\":{\"core_interfaces\":[{\"name\":\"core0\",\"address\":\"10.0.1.255/24\"}]}}",
	  "t.json: fwd.core_interfaces[0].address: \"10.0.1.255/24\" is the broadcast address of "
	  "10.0.1.0/24 (want a host address in it, 10.0.1.1..10.0.1.254)" },
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"192.168.1.0/24\","
	  "\"next_hop\":\"10.1.1.0\",\"interface\":\"ce-a1\"}]}]}",
	  "t.json: vrfs[0].static_routes[0].next_hop (VRF A, route 192.168.1.0/24): \"10.1.1.0\" is not a neighbor on ce-a1: it is "
	  "the subnet's network address (want another address in 10.1.1.0/30)" },
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"192.168.1.0/24\","
	  "\"next_hop\":\"10.1.1.3\",\"interface\":\"ce-a1\"}]}]}",
	  "t.json: vrfs[0].static_routes[0].next_hop (VRF A, route 192.168.1.0/24): \"10.1.1.3\" is not a neighbor on ce-a1: it is "
	  "the subnet's broadcast address (want another address in 10.1.1.0/30)" },
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"192.168.1.0/24\","
	  "\"next_hop\":\"10.1.1.1\",\"interface\":\"ce-a1\"}]}]}",
	  "t.json: vrfs[0].static_routes[0].next_hop (VRF A, route 192.168.1.0/24): \"10.1.1.1\" is not a neighbor on ce-a1 (want "
	  "another address in 10.1.1.0/30)" },
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"192.168.1.1/24\","
	  "\"next_hop\":\"10.1.1.2\",\"interface\":\"ce-a1\"}]}]}",
	  "t.json: vrfs[0].static_routes[0].prefix (VRF A): \"192.168.1.1/24\" is not an IPv4 prefix (want "
	  "a.b.c.d/len with no host bits set)" },
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"192.168.1.0/24\","
	  "\"nexthop\":\"10.1.1.2\",\"interface\":\"ce-a1\"}]}]}",
	  "t.json: vrfs[0].static_routes[0].nexthop (VRF A, route 192.168.1.0/24): unknown key (want one of prefix, next_hop, "
	  "interface, distance)" },
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"192.168.1.0/24\","
	  "\"next_hop\":\"10.1.1.2\",\"distance\":0}]}]}",
	  "t.json: vrfs[0].static_routes[0].distance (VRF A, route 192.168.1.0/24): 0 is out of range (want an integer 1..255)" },
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"192.168.1.0/24\","
	  "\"next_hop\":\"10.1.1.2\",\"distance\":\"low\"}]}]}",
	  "t.json: vrfs[0].static_routes[0].distance (VRF A, route 192.168.1.0/24): \"low\" is not a distance (want an integer "
	  "1..255)" },
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"192.168.1.0/24\","
	  "\"next_hop\":\"0.0.0.0\"}]}]}",
	  "t.json: vrfs[0].static_routes[0].next_hop (VRF A, route 192.168.1.0/24): \"0.0.0.0\" is not a next hop (want a CE's "
	  "address, a unicast IPv4 address: not 0.0.0.0, 255.255.255.255 or multicast 224.0.0.0/4)" },
	/* no CE answers ARP for these: the route could never be installed */
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"192.168.1.0/24\","
	  "\"next_hop\":\"224.0.0.5\"}]}]}",
	  "t.json: vrfs[0].static_routes[0].next_hop (VRF A, route 192.168.1.0/24): \"224.0.0.5\" is not a next hop (want a CE's "
	  "address, a unicast IPv4 address: not 0.0.0.0, 255.255.255.255 or multicast 224.0.0.0/4)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"interfaces\":[{\"name\":\"x\","
	  "\"address\":\"192.0.0.1/2\"}],\"static_routes\":[{\"prefix\":\"10.0.0.0/8\","
	  "\"next_hop\":\"239.1.1.1\",\"interface\":\"x\"}]}]}",
	  "t.json: vrfs[0].static_routes[0].next_hop (VRF A, route 10.0.0.0/8): \"239.1.1.1\" is not a next hop (want a CE's "
	  "address, a unicast IPv4 address: not 0.0.0.0, 255.255.255.255 or multicast 224.0.0.0/4)" },
	{ "{" R ",\"vrfs\":[" VRF_A "},{\"name\":\"B\",\"rd\":\"1:1\",\"interfaces\":[{\"name\":"
	  "\"ce-a1\",\"address\":\"10.2.1.1/30\"}]}]}",
	  "t.json: vrfs[1].interfaces[0].name (VRF B): \"ce-a1\" is already used by vrfs[0].interfaces[0] (VRF A) "
	  "(want each interface listed once)" },
	/* lsps */
	{ "{" R ",\"lsps\":[{\"fec\":\"10.255.0.2/32\",\"out_label\":\"foo\",\"next_hop\":"
	  "\"10.0.1.2\",\"interface\":\"core0\"}]}",
	  "t.json: lsps[0].out_label: \"foo\" is not an outgoing label (want an integer 16..1048575, "
	  "\"implicit-null\" (or 3) or \"explicit-null\" (or 0))" },
	{ "{" R ",\"lsps\":[{\"fec\":\"10.255.0.2/32\",\"out_label\":1048576,\"next_hop\":"
	  "\"10.0.1.2\",\"interface\":\"core0\"}]}",
	  "t.json: lsps[0].out_label: 1048576 is out of range (want an integer 16..1048575, "
	  "\"implicit-null\" (or 3) or \"explicit-null\" (or 0))" },
	{ "{" R ",\"lsps\":[{\"fec\":\"10.255.0.2/32\",\"next_hop\":\"10.0.1.2\",\"interface\":"
	  "\"core0\"}]}",
	  "t.json: lsps[0].out_label: missing (want an outgoing label)" },
	/* types are strict: a number is a JSON integer, the keywords are spelt as documented */
	{ LSP_LABEL("\"16\""),
	  "t.json: lsps[0].out_label: \"16\" is not an outgoing label (want an integer 16..1048575, "
	  "\"implicit-null\" (or 3) or \"explicit-null\" (or 0))" },
	{ LSP_LABEL("\"IMPLICIT-NULL\""),
	  "t.json: lsps[0].out_label: \"IMPLICIT-NULL\" is not an outgoing label (want an integer "
	  "16..1048575, \"implicit-null\" (or 3) or \"explicit-null\" (or 0))" },
	{ LSP_LABEL("\"Explicit-Null\""),
	  "t.json: lsps[0].out_label: \"Explicit-Null\" is not an outgoing label (want an integer "
	  "16..1048575, \"implicit-null\" (or 3) or \"explicit-null\" (or 0))" },
	{ LSP_LABEL("\"implicit-null\\u0000\""),
	  "t.json: lsps[0].out_label: \"implicit-null\\u0000\" is not an outgoing label (want an "
	  "integer 16..1048575, \"implicit-null\" (or 3) or \"explicit-null\" (or 0))" },
	/* reserved labels (RFC 3032): only the two nulls mean anything to send */
	{ LSP_LABEL("7"),
	  "t.json: lsps[0].out_label: 7 is a reserved label (want an integer 16..1048575, "
	  "\"implicit-null\" (or 3) or \"explicit-null\" (or 0))" },
	{ LSP_LABEL("1"),
	  "t.json: lsps[0].out_label: 1 is a reserved label (want an integer 16..1048575, "
	  "\"implicit-null\" (or 3) or \"explicit-null\" (or 0))" },
	{ LSP_LABEL("15"),
	  "t.json: lsps[0].out_label: 15 is a reserved label (want an integer 16..1048575, "
	  "\"implicit-null\" (or 3) or \"explicit-null\" (or 0))" },
	{ LFIB("\"action\":\"swap\",\"out_label\":2,"),
	  "t.json: fwd.lfib[0].out_label: 2 is a reserved label (want an integer 16..1048575, "
	  "\"implicit-null\" (or 3) or \"explicit-null\" (or 0))" },
	/* an LSP leaves through a core interface, toward a neighbour on that link */
	{ LSP("eth7", "8.8.8.8"),
	  "t.json: lsps[0].interface: \"eth7\" is not a core interface (want one of core0, core1)" },
	{ LSP("ce-a1", "10.1.1.2"),
	  "t.json: lsps[0].interface: \"ce-a1\" is not a core interface (want one of core0, core1)" },
	{ "{" R ",\"lsps\":[{\"fec\":\"10.255.0.2/32\",\"out_label\":16,\"next_hop\":\"10.0.1.2\","
	  "\"interface\":\"core0\"}]}",
	  "t.json: lsps[0].interface: \"core0\" is not a core interface (want an interface listed in "
	  "fwd.core_interfaces; there are none)" },
	{ LSP("core0", "8.8.8.8"),
	  "t.json: lsps[0].next_hop: \"8.8.8.8\" is not a neighbor on core0 (want another address in "
	  "10.0.1.0/30)" },
	{ LSP("core1", "10.0.1.2"),
	  "t.json: lsps[0].next_hop: \"10.0.1.2\" is not a neighbor on core1 (want another address in "
	  "10.0.2.0/24)" },
	{ LSP("core0", "10.0.1.1"),
	  "t.json: lsps[0].next_hop: \"10.0.1.1\" is not a neighbor on core0 (want another address in "
	  "10.0.1.0/30)" },
	{ LSP("core0", "10.0.1.3"),
	  "t.json: lsps[0].next_hop: \"10.0.1.3\" is not a neighbor on core0: it is the subnet's "
	  "broadcast address (want another address in 10.0.1.0/30)" },
	/* so does a label fwd.lfib swaps or pops */
	{ LFIB_ON("eth7", "10.0.1.2"),
	  "t.json: fwd.lfib[0].interface: \"eth7\" is not a core interface (want one of core0, core1)" },
	{ LFIB_ON("core1", "10.0.1.2"),
	  "t.json: fwd.lfib[0].next_hop: \"10.0.1.2\" is not a neighbor on core1 (want another address "
	  "in 10.0.2.0/24)" },
	/* a /32 link has no neighbour to send to */
	{ "{" R ",\"lsps\":[{\"fec\":\"10.255.0.2/32\",\"out_label\":16,\"next_hop\":\"10.0.1.2\","
	  "\"interface\":\"core0\"}],\"fwd\":{\"core_interfaces\":[{\"name\":\"core0\","
	  "\"address\":\"10.0.1.1/32\"}]}}",
	  "t.json: lsps[0].next_hop: \"10.0.1.2\" is not a neighbor on core0 (a /32 link has none: "
	  "want the interface on a subnet with room for a neighbor)" },
	/* fwd */
	{ "{" R ",\"fwd\":{\"mode\":\"p\"}}",
	  "t.json: fwd.mode: \"p\" is not a forwarding mode (want \"pe\" or \"lsr\")" },
	{ "{" R ",\"fwd\":{\"arp_timeout\":0}}",
	  "t.json: fwd.arp_timeout: 0 is out of range (want an integer 1..86400)" },
	{ "{" R ",\"fwd\":{\"io\":\"dpdk\"}}",
	  "t.json: fwd.io: \"dpdk\" is not a packet I/O backend (want \"af_packet\" or \"af_xdp\")" },
	{ "{" R ",\"fwd\":{\"rx_ring\":\"v2\"}}",
	  "t.json: fwd.rx_ring: \"v2\" is not a receive ring kind (want \"blocks\" or \"frames\")" },
	{ "{" R ",\"fwd\":{\"workers\":17}}",
	  "t.json: fwd.workers: 17 is out of range (want an integer 0..16, 0 = forward on the main "
	  "thread)" },
	{ LFIB("\"action\":\"swap\","), "t.json: fwd.lfib[0].out_label: missing (want an outgoing label)" },
	{ LFIB("\"action\":\"pop\",\"out_label\":3,"),
	  "t.json: fwd.lfib[0].out_label: not allowed with action \"pop\" (want no out_label, or "
	  "action \"swap\")" },
	{ LFIB("\"action\":\"push\","),
	  "t.json: fwd.lfib[0].action: \"push\" is not an LFIB action (want \"swap\" or \"pop\")" },
	{ LFIB(""), "t.json: fwd.lfib[0].action: missing (want an LFIB action)" },
	{ "{" R ",\"fwd\":{\"lfib\":[{\"in_label\":3,\"action\":\"pop\"}]}}",
	  "t.json: fwd.lfib[0].in_label: 3 is out of range (want an integer 16..1048575)" },
	{ "{" R ",\"fwd\":{\"lfib\":[{\"in_label\":16,\"action\":\"pop\",\"next_hop\":\"1.1.1.1\","
	  "\"interface\":\"a\"},{\"in_label\":16,\"action\":\"pop\",\"next_hop\":\"1.1.1.1\","
	  "\"interface\":\"a\"}]}}",
	  "t.json: fwd.lfib[1].in_label: 16 is already used by fwd.lfib[0] (want one entry per "
	  "label)" },
	{ "{" R ",\"vrfs\":[" VRF_A "}],\"fwd\":{\"core_interfaces\":[{\"name\":\"ce-a1\","
	  "\"address\":\"10.0.1.1/30\"}]}}",
	  "t.json: fwd.core_interfaces[0].name: \"ce-a1\" is already used by vrfs[0].interfaces[0] (VRF A) "
	  "(want each interface listed once)" },
	/* api */
	{ "{" R ",\"api\":{\"listen\":\"10.255.0.1\"}}",
	  "t.json: api.listen: \"10.255.0.1\" is not a loopback address: a listener others can "
	  "reach needs TLS and a token (want api.tls and api.token_file, or 127.0.0.1)" },
	{ "{" R ",\"api\":{\"listen\":\"10.255.0.1\",\"tls\":{\"cert\":\"/c\",\"key\":\"/k\"}}}",
	  "t.json: api.listen: \"10.255.0.1\" is not a loopback address: a listener others can "
	  "reach needs TLS and a token (want api.tls and api.token_file, or 127.0.0.1)" },
	{ "{" R ",\"api\":{\"tls\":{\"cert\":\"/c\"}}}",
	  "t.json: api.tls.key: missing (want a file)" },
	{ "{" R ",\"api\":{\"token_file\":\"token\"}}",
	  "t.json: api.token_file: \"token\" is not a file (want an absolute path of at most 255 "
	  "characters)" },
	{ "{" R ",\"api\":{\"ports\":{\"bgpd\":7000,\"fwd\":7000}}}",
	  "t.json: api.ports: two daemons on one port (want a different port each, or 0)" },
	{ "{" R ",\"api\":{\"ports\":{\"bgp\":1}}}",
	  "t.json: api.ports.bgp: unknown key (want one of bgpd, vrfmgr, fwd)" },
	{ "{" R ",\"api\":{\"ports\":{\"fwd\":65536}}}",
	  "t.json: api.ports.fwd: 65536 is out of range (want an integer 0..65535, 0 = no TCP "
	  "listener)" },
	/* null is no value: not a silent default, and a required key's null is not "missing" */
	{ "{" R ",\"bgp\":{\"port\":null}}",
	  "t.json: bgp.port: null is not a TCP port (want an integer 1..65535, or leave the key out "
	  "for its default)" },
	{ "{" R ",\"bgp\":null}",
	  "t.json: bgp: null is not the bgp section (want { \"neighbors\": [...], ... }, or leave "
	  "the key out for its default)" },
	{ "{" R ",\"vrfs\":null}",
	  "t.json: vrfs: null is not a list of VRFs (want [{ \"name\": ..., \"rd\": ..., ... }], or "
	  "leave the key out for its default)" },
	{ "{" R ",\"vrfs\":[" VRF_A ",\"label_mode\":null}]}",
	  "t.json: vrfs[0].label_mode (VRF A): null is not a label mode (want \"per-vrf\", \"per-ce\" or "
	  "\"per-prefix\", or leave the key out for its default)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.255.0.2\",\"remote_as\":1,"
	  "\"max_prefix\":null}]}}",
	  "t.json: bgp.neighbors[0].max_prefix (neighbor 10.255.0.2): null is not a max-prefix setting (want { \"limit\": "
	  "N, \"rtc_limit\": 10000, \"warn_only\": false, \"restart\": 30 }, or leave the key out for its default)" },
	{ "{" R ",\"bgp\":{\"graceful_restart\":null}}",
	  "t.json: bgp.graceful_restart: null is not a graceful restart setting (want { "
	  "\"enabled\": true, \"restart_time\": 120, \"stale_time\": 360, \"deferral_time\": 60, "
	  "\"notification\": true, \"long_lived_stale_time\": 0 }, or leave the key out for its "
	  "default)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.255.0.2\",\"remote_as\":1,"
	  "\"shutdown\":1}]}}",
	  "t.json: bgp.neighbors[0].shutdown (neighbor 10.255.0.2): 1 is not a shutdown setting (want true, false, or the "
	  "reason sent to the peer: a string of at most 255 bytes, no control characters (RFC "
	  "9003))" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.255.0.2\",\"remote_as\":1,"
	  "\"shutdown\":\"line\\nbreak\"}]}}",
	  "t.json: bgp.neighbors[0].shutdown (neighbor 10.255.0.2): \"line\\nbreak\" is not a shutdown setting (want "
	  "true, false, or the reason sent to the peer: a string of at most 255 bytes, no control "
	  "characters (RFC 9003))" },
	{ "{" R ",\"bgp\":{\"graceful_restart\":{\"notification\":1}}}",
	  "t.json: bgp.graceful_restart.notification: 1 is not a boolean (want true or false)" },
	{ "{" R ",\"bgp\":{\"graceful_restart\":{\"long_lived_stale_time\":16777216}}}",
	  "t.json: bgp.graceful_restart.long_lived_stale_time: 16777216 is out of range (want an "
	  "integer 0..16777215 seconds (0: off))" },
	{ "{" R ",\"bgp\":{\"graceful_restart\":{\"long_lived_stale_time\":-1}}}",
	  "t.json: bgp.graceful_restart.long_lived_stale_time: -1 is out of range (want an "
	  "integer 0..16777215 seconds (0: off))" },
	{ "{" R ",\"bgp\":{\"graceful_restart\":{\"long_lived_stale_time\":\"1d\"}}}",
	  "t.json: bgp.graceful_restart.long_lived_stale_time: \"1d\" is not a long-lived stale "
	  "time (want an integer 0..16777215 seconds (0: off))" },
	/* stale_time starts at 1: the message must not offer the 0 it refuses */
	{ "{" R ",\"bgp\":{\"graceful_restart\":{\"stale_time\":0}}}",
	  "t.json: bgp.graceful_restart.stale_time: 0 is out of range (want an integer 1..65535 "
	  "seconds)" },
	{ "{" R ",\"bgp\":{\"graceful_restart\":{\"deferral_time\":0}}}",
	  "t.json: bgp.graceful_restart.deferral_time: 0 is out of range (want an integer "
	  "1..3600 seconds)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.255.0.2\",\"remote_as\":1,"
	  "\"families\":null}]}}",
	  "t.json: bgp.neighbors[0].families (neighbor 10.255.0.2): null is not a list of address families (want "
	  "a non-empty list of \"vpnv4\", \"ipv4\", \"rtc\", e.g. [\"vpnv4\", \"rtc\"], or leave the key out for its default)" },
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":null,\"asn\":1}}",
	  "t.json: router.router_id: null is not an IPv4 address (want a.b.c.d)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.255.0.2\",\"remote_as\":1,"
	  "\"description\":\"0123456789012345678901234567890123456789012345678901234567890123\"}]}}",
	  "t.json: bgp.neighbors[0].description (neighbor 10.255.0.2): \"01234567890123456789012345678901234567890123456"
	  "789012345678... is not a description (want a string of at most 63 characters, no "
	  "control characters)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.255.0.2\",\"remote_as\":1,"
	  "\"description\":\"pe2\\nFAKE\"}]}}",
	  "t.json: bgp.neighbors[0].description (neighbor 10.255.0.2): \"pe2\\nFAKE\" is not a description (want a "
	  "string of at most 63 characters, no control characters)" },
	/* more per-vrf VRFs than labels in the range: one would have none */
	{ "{\"router\":{\"name\":\"pe1\",\"router_id\":\"10.255.0.1\",\"asn\":65000,"
	  "\"label_range\":{\"min\":100,\"max\":100}},\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\"},"
	  "{\"name\":\"B\",\"rd\":\"1:2\"},{\"name\":\"C\",\"rd\":\"1:3\",\"label_mode\":\"per-ce\"}]}",
	  "t.json: router.label_range: 100..100 holds 1 label, fewer than the 2 VRFs with "
	  "label_mode per-vrf need (want a range of at least 2 labels)" },
	/* an interface address is unicast: no host on a link answers the others */
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"interfaces\":[{\"name\":\"ce-a1\","
	  "\"address\":\"224.1.1.1/30\"}]}]}",
	  "t.json: vrfs[0].interfaces[0].address (VRF A): \"224.1.1.1/30\" is not an interface address (want "
	  "a unicast a.b.c.d/len: not in 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4 or 240.0.0.0/4)" },
	{ "{" R ",\"fwd\":{\"core_interfaces\":[{\"name\":\"core0\",\"address\":\"127.0.0.1/8\"}]}}",
	  "t.json: fwd.core_interfaces[0].address: \"127.0.0.1/8\" is not an interface address (want "
	  "a unicast a.b.c.d/len: not in 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4 or 240.0.0.0/4)" },
	{ "{" R ",\"fwd\":{\"core_interfaces\":[{\"name\":\"core0\",\"address\":\"0.0.0.1/8\"}]}}",
	  "t.json: fwd.core_interfaces[0].address: \"0.0.0.1/8\" is not an interface address (want "
	  "a unicast a.b.c.d/len: not in 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4 or 240.0.0.0/4)" },
	{ "{" R ",\"fwd\":{\"core_interfaces\":[{\"name\":\"core0\",\"address\":\"255.255.255.255/32\"}]}}",
	  "t.json: fwd.core_interfaces[0].address: \"255.255.255.255/32\" is not an interface address "
	  "(want a unicast a.b.c.d/len: not in 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4 or 240.0.0.0/4)" },
	/* one table's links overlap: vrfmgr kept one connected route of two, silently */
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"interfaces\":[{\"name\":\"ce-a1\","
	  "\"address\":\"10.1.1.1/30\"},{\"name\":\"ce-a2\",\"address\":\"10.1.1.2/30\"}]}]}",
	  "t.json: vrfs[0].interfaces[1].address (VRF A): \"10.1.1.2/30\" overlaps vrfs[0].interfaces[0]."
	  "address \"10.1.1.1/30\" (want a subnet of its own for each link)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"interfaces\":[{\"name\":\"ce-a1\","
	  "\"address\":\"10.1.1.1/30\"},{\"name\":\"ce-a2\",\"address\":\"10.1.0.1/16\"}]}]}",
	  "t.json: vrfs[0].interfaces[1].address (VRF A): \"10.1.0.1/16\" overlaps vrfs[0].interfaces[0]."
	  "address \"10.1.1.1/30\" (want a subnet of its own for each link)" },
	{ "{" R ",\"fwd\":{\"core_interfaces\":[{\"name\":\"core0\",\"address\":\"10.0.1.1/30\"},"
	  "{\"name\":\"core1\",\"address\":\"10.0.1.2/32\"}]}}",
	  "t.json: fwd.core_interfaces[1].address: \"10.0.1.2/32\" overlaps fwd.core_interfaces[0]."
	  "address \"10.0.1.1/30\" (want a subnet of its own for each link)" },
	/* the same static route twice: the last one's distance won, silently */
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"10.9.0.0/16\","
	  "\"next_hop\":\"10.1.1.2\"},{\"prefix\":\"10.9.0.0/16\",\"next_hop\":\"10.1.1.2\","
	  "\"distance\":5}]}]}",
	  "t.json: vrfs[0].static_routes[1] (VRF A, route 10.9.0.0/16): 10.9.0.0/16 via 10.1.1.2 is already "
	  "vrfs[0].static_routes[0] (want one entry per prefix and next hop)" },
	/* an LSR's fwd has no vrfmgr: VRFs there never forward */
	{ "{" R ",\"vrfs\":[" VRF_A "}],\"fwd\":{\"mode\":\"lsr\"}}",
	  "t.json: fwd.mode: \"lsr\" on a router with VRFs or LSPs (vrfs: 1, lsps: 0): an LSR's fwd "
	  "takes nothing from vrfmgr, so they would never forward (want \"pe\", or no vrfs and lsps)" },
	/* "." and "..": /run/ferry/.. is /run */
	{ "{\"router\":{\"name\":\"..\",\"router_id\":\"1.1.1.1\",\"asn\":1}}",
	  "t.json: router.name: \"..\" is not a name (want 1..31 characters of A-Z a-z 0-9 . _ -, "
	  "not . or ..)" },
	{ "{\"router\":{\"name\":\".\",\"router_id\":\"1.1.1.1\",\"asn\":1}}",
	  "t.json: router.name: \".\" is not a name (want 1..31 characters of A-Z a-z 0-9 . _ -, "
	  "not . or ..)" },
	/* an address bgpd binds: 0.0.0.0 (any) or unicast */
	{ "{" R ",\"bgp\":{\"listen\":\"224.0.0.1\"}}",
	  "t.json: bgp.listen: \"224.0.0.1\" is not an address of this router (want 0.0.0.0 for "
	  "any, or a unicast IPv4 address: not 255.255.255.255 or multicast 224.0.0.0/4)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.255.0.2\",\"remote_as\":1,"
	  "\"local_address\":\"255.255.255.255\"}]}}",
	  "t.json: bgp.neighbors[0].local_address (neighbor 10.255.0.2): \"255.255.255.255\" is not an address of this "
	  "router (want 0.0.0.0 for any, or a unicast IPv4 address: not 255.255.255.255 or "
	  "multicast 224.0.0.0/4)" },
	/* a PE's static LFIB label vrfmgr could give out (the default range 1000..99999) */
	{ "{" R ",\"fwd\":{\"lfib\":[{\"in_label\":1000,\"action\":\"pop\",\"next_hop\":"
	  "\"10.0.1.2\",\"interface\":\"core0\"}],\"core_interfaces\":[{\"name\":\"core0\","
	  "\"address\":\"10.0.1.1/30\"}]}}",
	  "t.json: fwd.lfib[0].in_label: 1000 is in router.label_range 1000..99999, which vrfmgr "
	  "gives out on a PE (want a label outside it)" },
	/* a key twice in one object: json-c kept the last, silently, whatever the first said */
	{ "{" R ",\"bgp\":{\"hold_time\":30,\"port\":179,\"hold_time\":90}}",
	  "t.json: bgp.hold_time: key given twice in one object (want each key once: only the last "
	  "would count)" },
	{ "{" R "," R "}",
	  "t.json: router: key given twice in one object (want each key once: only the last would "
	  "count)" },
	/* the same key however it is escaped, as json-c decodes it */
	{ "{" R ",\"bgp\":{\"hold_time\":30,\"hold\\u005ftime\":90}}",
	  "t.json: bgp.hold_time: key given twice in one object (want each key once: only the last "
	  "would count)" },
	{ "{" R ",\"vrfs\":[" VRF_A "},{\"name\":\"B\",\"rd\":\"1:2\",\"static_routes\":["
	  "{\"prefix\":\"10.9.0.0/16\",\"next_hop\":\"10.1.1.2\"},{\"prefix\":\"10.8.0.0/16\","
	  "\"next_hop\":\"10.1.1.2\",\"next_hop\":\"10.1.1.6\"}]}]}",
	  "t.json: vrfs[1].static_routes[1].next_hop (VRF B, route 10.8.0.0/16): key given twice in one object (want each key "
	  "once: only the last would count)" },
	/* past the few keys compared one by one */
	{ "{\"k00\":0,\"k01\":0,\"k02\":0,\"k03\":0,\"k04\":0,\"k05\":0,\"k06\":0,"
	  "\"k07\":0,\"k08\":0,\"k09\":0,\"k10\":0,\"k11\":0,\"k12\":0,\"k13\":0,\"k14\":0,"
	  "\"k15\":0,\"k16\":0,\"k17\":0,\"k03\":1}",
	  "t.json: k03: key given twice in one object (want each key once: only the last would "
	  "count)" },
	/*
	 * A key a path cannot show as is: empty (the path would name the object,
	 * or the top level) or holding the path's own '.', '[' or ']' (it would
	 * read as a nested key): quoted, as a key with control characters is.
	 */
	{ "{\"\":1,\"\":2}",
	  "t.json: \"\": key given twice in one object (want each key once: only the last would "
	  "count)" },
	{ "{" R ",\"bgp\":{\"\":1}}",
	  "t.json: bgp.\"\": unknown key (want one of listen, port, hold_time, connect_retry, "
	  "neighbors, cluster_id, graceful_restart)" },
	{ "{" R ",\"bgp\":{\"x\":{\"a.b\":1,\"a.b\":2}}}",
	  "t.json: bgp.x.\"a.b\": key given twice in one object (want each key once: only the last "
	  "would count)" },
	{ "{\"vrfs[0]\":1}",
	  "t.json: \"vrfs[0]\": unknown key (want one of router, bgp, vrfs, lsps, fwd, api)" },
	/* json-c cut a key at an escaped NUL: "hold_time\u0000x" would be hold_time */
	{ "{" R ",\"bgp\":{\"hold_time\\u0000x\":90}}",
	  "t.json: bgp: key \"hold_time\\u0000x\" holds a NUL character (want keys as "
	  "docs/config.md names them)" },
	/* JSON syntax */
	{ "{\n  \"router\": ,\n}", "t.json: line 2, column 13: invalid JSON: unexpected character" },
	{ "{\"router\": {", "t.json: line 1: invalid JSON: unexpected end of file" },
	{ "{\"router\": {}} x", "t.json: line 1, column 16: invalid JSON: unexpected character" },
	{ "", "t.json: line 1: invalid JSON: unexpected end of file" },
	/* a forgotten comma is named where it belongs, not at the next key */
	{ "{\n  \"router\": {}\n\n  \"bgp\": {}\n}",
	  "t.json: line 4, column 3: invalid JSON: object value separator ',' expected (a comma "
	  "missing at the end of line 2?)" },
	{ "{" R ",\"bgp\":{\"listen\":[\"10.0.0.1\"\r\n\"10.0.0.2\"]}}",
	  "t.json: line 2, column 1: invalid JSON: array value separator ',' expected (a comma "
	  "missing at the end of line 1?)" },
	/* on one line there is no earlier line to name */
	{ "{\"router\": {} \"bgp\": {}}",
	  "t.json: line 1, column 15: invalid JSON: object value separator ',' expected" },
	{ "{\n  \"router\": {},\n}",
	  "t.json: line 3, column 1: invalid JSON: unexpected character (a comma before '}': want "
	  "none after the last item)" },
	/* not UTF-8: it would reach the API's JSON and the logs as it is */
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.255.0.2\",\"remote_as\":1,"
	  "\"description\":\"p\xff\"}]}}",
	  "t.json: line 1, column 137: invalid JSON: invalid utf-8 string" },
	/*
	 * What names the element an error is in, after its path: with 50 tenants
	 * vrfs[37] alone had the operator count. From the document, whatever
	 * failed: an unknown key is found before the name is read. Only a valid
	 * name, prefix, address or description is used, and not when the error
	 * is in that very key (its value is in the message).
	 */
	{ "{" R ",\"vrfs\":[" VRF_A "},{\"rd\":\"1:2\",\"name\":\"t37\",\"expor_rts\":[]}]}",
	  "t.json: vrfs[1].expor_rts (VRF t37): unknown key (want one of name, rd, import_rts, "
	  "export_rts, label_mode, interfaces, static_routes, max_routes, warn_threshold)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"t 37\",\"rd\":\"1:2\"}]}",
	  "t.json: vrfs[0].name: \"t 37\" is not a name (want 1..31 characters of A-Z a-z 0-9 . _ -, "
	  "not . or ..)" },
	{ "{" R ",\"vrfs\":[{\"name\":\"t 37\",\"rd\":\"1:2\",\"label_mod\":1}]}",
	  "t.json: vrfs[0].label_mod: unknown key (want one of name, rd, import_rts, export_rts, "
	  "label_mode, interfaces, static_routes, max_routes, warn_threshold)" },
	{ "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{\"prefix\":\"10.0.0.1/8\",\"next_hop\":"
	  "\"10.1.1.2\"}]}]}",
	  "t.json: vrfs[0].static_routes[0].prefix (VRF A): \"10.0.0.1/8\" is not an IPv4 prefix (want "
	  "a.b.c.d/len with no host bits set)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.255.0.2\",\"remote_as\":1},"
	  "{\"address\":\"10.255.0.4\",\"description\":\"pe4 (lab)\"}]}}",
	  "t.json: bgp.neighbors[1].remote_as (neighbor 10.255.0.4 \"pe4 (lab)\"): missing (want an AS "
	  "number)" },
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.255.0.256\",\"remote_as\":1,"
	  "\"description\":\"pe4\"}]}}",
	  "t.json: bgp.neighbors[0].address (neighbor \"pe4\"): \"10.255.0.256\" is not an IPv4 address "
	  "(want a.b.c.d)" },
	/* a description is quoted as values are: a quote or backslash in it escaped, no false end */
	{ "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"10.255.0.4\",\"remote_as\":0,"
	  "\"description\":\"pe4 \\\"b\\\" \\\\ x\"}]}}",
	  "t.json: bgp.neighbors[0].remote_as (neighbor 10.255.0.4 \"pe4 \\\"b\\\" \\\\ x\"): 0 is out "
	  "of range (want an integer 1..4294967295)" },
};

Test(config, bad_fields_exact_messages)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct ferry_config cfg;
		char err[512];

		memset(&cfg, 0x5a, sizeof(cfg));
		cr_assert_eq(config_load_string(bad_cases[i].json, "t.json", &cfg, err, sizeof(err)),
			     -1, "case %zu accepted: %s", i, bad_cases[i].json);
		cr_expect_str_eq(err, bad_cases[i].msg, "case %zu: %s", i, bad_cases[i].json);
		/* nothing to free: arrays are gone and counts are zero */
		cr_assert(cfg.vrfs == NULL && cfg.n_vrfs == 0 && cfg.bgp.neighbors == NULL &&
			  cfg.lsps == NULL && cfg.fwd.lfib == NULL && cfg.fwd.core_interfaces == NULL);
	}
}

/*
 * A VRF's static routes are checked for repeats in one pass (by prefix and
 * next hop): for each of n /24s 10.x.y.0, the /24 via 10.1.1.2, the /25 of
 * the same address via 10.1.1.2 and the /24 via 10.1.1.3 (none a repeat of
 * another), then extra appended.
 */
static char *statics_config(size_t n, const char *extra)
{
	size_t cap = n * 160 + 512, len;
	char *s = malloc(cap);

	cr_assert_not_null(s);
	len = (size_t)snprintf(s, cap, "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len,
					"%s{\"prefix\":\"10.%zu.%zu.0/24\",\"next_hop\":\"10.1.1.2\"},"
					"{\"prefix\":\"10.%zu.%zu.0/25\",\"next_hop\":\"10.1.1.2\"},"
					"{\"prefix\":\"10.%zu.%zu.0/24\",\"next_hop\":\"10.1.1.3\"}",
					i ? "," : "", 100 + i / 256, i % 256, 100 + i / 256, i % 256,
					100 + i / 256, i % 256);
	snprintf(s + len, cap - len, "%s]}]}", extra);
	return s;
}

Test(config, static_route_repeats_among_thousands)
{
	struct ferry_config cfg;
	char err[512], *s = statics_config(3000, "");

	cr_assert_eq(config_load_string(s, "t.json", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.vrfs[0].n_static_routes, 9000);
	config_free(&cfg);
	free(s);
	s = statics_config(3000, ",{\"prefix\":\"10.100.1.0/24\",\"next_hop\":\"10.1.1.2\"}");
	cr_assert_eq(config_load_string(s, "t.json", &cfg, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "t.json: vrfs[0].static_routes[9000] (VRF A, route 10.100.1.0/24): "
			      "10.100.1.0/24 via 10.1.1.2 is "
			      "already vrfs[0].static_routes[3] (want one entry per prefix and next hop)");
	free(s);
}
