/*
 * ferryctl --url, --token-file and where each daemon is asked (cli/conn.c,
 * cli/fetch.c): URL forms accepted and refused, default ports per daemon,
 * an explicit port only for the daemon the command addresses, the token's
 * first line, and no token in clear over http:// to another host.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "cli/cli.h"

static char err[512];

Test(cli_url, https_with_port)
{
	struct cli_url u;

	cr_assert_eq(cli_url_parse("https://10.255.0.1:7180", &u, err, sizeof(err)), 0, "%s", err);
	cr_assert(u.tls);
	cr_assert_str_eq(u.host, "10.255.0.1");
	cr_assert_eq(u.port, 7180);
}

Test(cli_url, http_without_port_and_trailing_slash)
{
	struct cli_url u;

	cr_assert_eq(cli_url_parse("http://127.0.0.1/", &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_not(u.tls);
	cr_assert_str_eq(u.host, "127.0.0.1");
	cr_assert_eq(u.port, 0);
	cr_assert_eq(cli_url_parse("https://pe1.example.net", &u, err, sizeof(err)), 0);
	cr_assert_str_eq(u.host, "pe1.example.net");
}

Test(cli_url, ipv6_in_brackets)
{
	struct cli_url u;

	cr_assert_eq(cli_url_parse("https://[::1]:7179", &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(u.host, "::1");
	cr_assert_eq(u.port, 7179);
	cr_assert_eq(cli_url_parse("https://[::1]", &u, err, sizeof(err)), 0);
	cr_assert_eq(u.port, 0);
	cr_assert_eq(cli_url_parse("https://[::1]x", &u, err, sizeof(err)), -1);
	cr_assert_eq(cli_url_parse("https://[::1", &u, err, sizeof(err)), -1);
}

Test(cli_url, refused_forms)
{
	static const char *const bad[] = {
		"10.255.0.1:7180", "ftp://h", "https://", "https://:7180", "https://h:0",
		"https://h:65536", "https://h:x", "https://h:80x", "https://h/routes",
		"https://h?x=1", "https://user@h", "https://h:",
	};
	struct cli_url u;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_assert_eq(cli_url_parse(bad[i], &u, err, sizeof(err)), -1, "%s accepted", bad[i]);
		cr_assert(strstr(err, "--url") != NULL, "%s: %s", bad[i], err);
	}
}

/* user:password@: said as such, not as a bad port ("a:b@h" read host "a", port "b@h") */
Test(cli_url, userinfo_named)
{
	static const char *const bad[] = { "http://a:b@127.0.0.1", "https://user@h:7180",
					   "https://a:b@[::1]:7180" };
	struct cli_url u;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(cli_url_parse(bad[i], &u, err, sizeof(err)), -1, "%s accepted", bad[i]);
		cr_assert(strstr(err, ": no user or password in the URL (want http[s]://HOST[:PORT]; "
				      "a bearer token goes in --token-file)") != NULL, "%s: %s", bad[i], err);
	}
}

Test(cli_url, default_ports)
{
	cr_assert_eq(cli_api_port("bgpd"), 7179);
	cr_assert_eq(cli_api_port("vrfmgr"), 7180);
	cr_assert_eq(cli_api_port("fwd"), 7181);
}

Test(cli_url, endpoint_of_socket_and_url)
{
	struct cli_url u;
	struct cli_ctx c = { .run_dir = "/run/ferry/x" };
	struct cli_endpoint ep;
	char sock[256];

	cr_assert_eq(cli_endpoint_of(&c, "bgpd", &ep, sock, sizeof(sock), err, sizeof(err)), 0);
	cr_assert_str_eq(ep.sock_path, "/run/ferry/x/bgpd.sock");
	cli_url_parse("https://10.0.0.1", &u, err, sizeof(err));
	c.url = &u;
	c.url_daemon = "vrfmgr";
	c.ca_file = "ca.pem";
	c.token = "t0k";
	cr_assert_eq(cli_endpoint_of(&c, "fwd", &ep, sock, sizeof(sock), err, sizeof(err)), 0);
	cr_assert_null(ep.sock_path);
	cr_assert_str_eq(ep.host, "10.0.0.1");
	cr_assert_eq(ep.port, 7181);
	cr_assert(ep.tls);
	cr_assert_str_eq(ep.ca_file, "ca.pem");
	cr_assert_str_eq(ep.token, "t0k");
}

/* A port names one daemon: a command that asks another one is told so. */
Test(cli_url, explicit_port_is_for_one_daemon)
{
	struct cli_url u;
	struct cli_ctx c = { .url = &u, .url_daemon = "vrfmgr" };
	struct cli_endpoint ep;
	char sock[256];

	cli_url_parse("https://10.0.0.1:9000", &u, err, sizeof(err));
	cr_assert_eq(cli_endpoint_of(&c, "vrfmgr", &ep, sock, sizeof(sock), err, sizeof(err)), 0);
	cr_assert_eq(ep.port, 9000);
	cr_assert_eq(cli_endpoint_of(&c, "bgpd", &ep, sock, sizeof(sock), err, sizeof(err)), -1);
	cr_assert(strstr(err, "without a port") != NULL, "%s", err);
}

Test(cli_url, token_file_first_line)
{
	char path[] = "/tmp/ferry-cli-token-XXXXXX", tok[64];
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "s3cret \r\nsecond\n", 16), 16);
	close(fd);
	cr_assert_eq(cli_token_load(path, tok, sizeof(tok), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(tok, "s3cret");
	fd = open(path, O_WRONLY | O_TRUNC);
	close(fd);
	cr_assert_eq(cli_token_load(path, tok, sizeof(tok), err, sizeof(err)), -1);
	unlink(path);
	cr_assert_eq(cli_token_load(path, tok, sizeof(tok), err, sizeof(err)), -1);
	cr_assert(strstr(err, "--token-file") != NULL, "%s", err);
}

/* The token goes in clear only to this machine: http:// elsewhere is refused, naming the option. */
Test(cli_url, token_not_in_clear_to_other_hosts)
{
	static const char *const ok_urls[] = {
		"http://127.0.0.1", "http://127.8.9.10:7180", "http://[::1]:7179",
		"http://localhost", "http://LOCALHOST:7180", "https://10.0.0.1",
		"https://pe1.example.net:7180",
	};
	static const char *const bad[] = {
		"http://10.0.0.1", "http://128.0.0.1", "http://[::2]", "http://pe1.example.net",
		"http://localhost.example.net", "http://[::ffff:10.0.0.1]",
	};
	struct cli_url u;

	cr_assert_eq(cli_token_check(NULL, err, sizeof(err)), 0); /* the Unix sockets */
	for (size_t i = 0; i < sizeof(ok_urls) / sizeof(ok_urls[0]); i++) {
		cr_assert_eq(cli_url_parse(ok_urls[i], &u, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(cli_token_check(&u, err, sizeof(err)), 0, "%s: %s", ok_urls[i], err);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_assert_eq(cli_url_parse(bad[i], &u, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(cli_token_check(&u, err, sizeof(err)), -1, "%s accepted", bad[i]);
		cr_assert(strstr(err, "--token-file") != NULL && strstr(err, "https://") != NULL,
			  "%s: %s", bad[i], err);
	}
}
