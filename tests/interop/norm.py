#!/usr/bin/env python3
"""Turns each BGP speaker's own view of its VPN-IPv4 table into one line per
route, the same for all, so tests/interop can compare them:

    RD PREFIX label=L nh=A lp=N med=N comm=a:b,c:d rt=x:y,... aspath=1_2_3

Fields a speaker does not report are "-"; lists are sorted. RDs and route
targets are written plain (type 2 as 4200000000:7, never asdot).

    norm.py ferry|gobgp|bird|frr|exabgp < what that speaker printed
ferry: bgpd's GET /routes (best paths only); gobgp: `gobgp global rib -a vpnv4
-j`; bird: `birdc show route table T all`; frr: one `show bgp ipv4 vpn rd RD
PREFIX json` document per line; exabgp: the JSON its API process received
(announcements and withdrawals replayed in order).
"""
import json
import re
import sys


def plain_as(s):
    """'64086.59904' (asdot) -> '4200000000'; anything else unchanged."""
    m = re.fullmatch(r"(\d+)\.(\d+)", str(s))
    return str(int(m.group(1)) * 65536 + int(m.group(2))) if m else str(s)


def plain_pair(s):
    """'ADMIN:NN' with ADMIN an AS (maybe asdot or with an L suffix) or an IPv4 address."""
    admin, _, nn = str(s).rpartition(":")
    admin = admin.rstrip("L")
    if admin.count(".") != 3:
        admin = plain_as(admin)
    return f"{admin}:{nn}"


def line(rd, prefix, label="-", nh="-", lp="-", med="-", comm=(), rt=(), aspath=(), orig="-",
         cl=()):
    def lst(v):
        return ",".join(sorted(v)) if v else "-"
    ap = "_".join(str(a) for a in aspath) if aspath else "-"
    return (f"{plain_pair(rd)} {prefix} label={label} nh={nh} lp={lp} med={med} "
            f"comm={lst(comm)} rt={lst(rt)} aspath={ap} orig={orig} "
            f"cl={','.join(cl) if cl else '-'}")


def comm_str(v):
    return f"{v >> 16}:{v & 0xffff}"


def ferry(text):
    for r in json.loads(text)["routes"]:
        if not r.get("best"):
            continue
        yield line(r["rd"], r["prefix"], r["label"], r["next_hop"], r["local_pref"],
                   "-" if r["med"] is None else r["med"], r.get("communities", []),
                   r["route_targets"], r["as_path"].split(), r.get("originator_id") or "-",
                   r.get("cluster_list", []))


def gobgp_rd(rd):
    return f"{plain_as(rd['admin'])}:{rd['assigned']}"


def gobgp(text):
    for paths in json.loads(text or "{}").values():
        for p in paths:
            if not p.get("best"):
                continue
            f = {"label": "-", "nh": "-", "lp": "-", "med": "-", "comm": [], "rt": [], "aspath": [],
                 "orig": "-", "cl": []}
            n = p["nlri"]
            f["label"] = ",".join(str(x) for x in n.get("labels", [])) or "-"
            for a in p["attrs"]:
                t = a["type"]
                if t == 2:
                    f["aspath"] = [x for s in a.get("as_paths", []) for x in s["asns"]]
                elif t == 4:
                    f["med"] = a["metric"]
                elif t == 5:
                    f["lp"] = a["value"]
                elif t == 8:
                    f["comm"] = [comm_str(c) for c in a["communities"]]
                elif t == 9:
                    f["orig"] = a["value"]
                elif t == 10:
                    f["cl"] = list(a["value"])
                elif t == 14:
                    f["nh"] = a["nexthop"]
                elif t == 16:
                    f["rt"] = [plain_pair(e["value"]) for e in a["value"] if e.get("subtype") == 2]
            yield line(gobgp_rd(n["rd"]), n["prefix"], **f)


def bird(text):
    cur = None
    for raw in text.splitlines():
        m = re.match(r"^(\S+) (\d+\.\d+\.\d+\.\d+/\d+)\s+unicast", raw)
        if m:
            if cur:
                yield line(**cur)
            cur = {"rd": m.group(1), "prefix": m.group(2), "comm": [], "rt": []}
            continue
        if cur is None:
            continue
        s = raw.strip()
        if m := re.match(r"via (\S+) .*mpls (\d+)", s):
            cur["nh"], cur["label"] = m.group(1), m.group(2)
        elif s.startswith("BGP.next_hop:"):
            cur["nh"] = s.split()[1]  # the route's own next hop, not the resolved one
        elif s.startswith("BGP.originator_id:"):
            cur["orig"] = s.split()[1]
        elif s.startswith("BGP.cluster_list:"):
            cur["cl"] = s.split()[1:]
        elif s.startswith("BGP.med:"):
            cur["med"] = s.split()[1]
        elif s.startswith("BGP.local_pref:"):
            cur["lp"] = s.split()[1]
        elif s.startswith("BGP.as_path:"):
            cur["aspath"] = s.split()[1:]
        elif s.startswith("BGP.community:"):
            cur["comm"] = [f"{a}:{b}" for a, b in re.findall(r"\((\d+),\s*(\d+)\)", s)]
        elif s.startswith("BGP.ext_community:"):
            cur["rt"] = [plain_pair(f"{a}:{b}")
                         for a, b in re.findall(r"\(rt,\s*([\d.]+),\s*(\d+)\)", s)]
    if cur:
        yield line(**cur)


def frr(text):
    for doc in text.splitlines():
        doc = doc.strip()
        if not doc.startswith("{"):
            continue
        for rd, e in json.loads(doc).items():
            if not isinstance(e, dict) or "paths" not in e:
                continue
            for p in e["paths"]:
                if not p.get("bestpath", {}).get("overall"):
                    continue
                ext = p.get("extendedCommunity", {}).get("string", "")
                comm = p.get("community", {}).get("string", "")
                yield line(rd, e["prefix"], p.get("remoteLabel", "-"),
                           p["nexthops"][0]["ip"] if p.get("nexthops") else "-",
                           p.get("locPrf", "-"), p.get("metric", "-"),
                           comm.split() if comm else [],
                           [plain_pair(x[3:]) for x in ext.split() if x.startswith("RT:")],
                           [x for x in p.get("aspath", {}).get("string", "").split()])


def exabgp(text):
    table = {}
    for doc in text.splitlines():
        try:
            m = json.loads(doc)
        except ValueError:
            continue
        upd = m.get("neighbor", {}).get("message", {}).get("update")
        if not upd:
            continue
        attr = upd.get("attribute", {})
        for nh, routes in upd.get("announce", {}).get("ipv4 mpls-vpn", {}).items():
            for r in routes:
                rt = [plain_pair(e["string"][7:]) for e in attr.get("extended-community", [])
                      if e["string"].startswith("target:")]
                comm = [f"{a}:{b}" for a, b in attr.get("community", [])]
                label = ",".join(str(x[0]) for x in r.get("label", [])) or "-"
                table[(r["rd"], r["nlri"])] = line(
                    r["rd"], r["nlri"], label, nh, attr.get("local-preference", "-"),
                    attr.get("med", "-"), comm, rt, attr.get("as-path", []))
        for r in upd.get("withdraw", {}).get("ipv4 mpls-vpn", []):
            table.pop((r["rd"], r["nlri"]), None)
    yield from table.values()


def main():
    kind = sys.argv[1]
    for out in {"ferry": ferry, "gobgp": gobgp, "bird": bird, "frr": frr,
                "exabgp": exabgp}[kind](sys.stdin.read()):
        print(out)


if __name__ == "__main__":
    main()
