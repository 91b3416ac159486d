/*
 * netaddr.h - client addresses as rate limits count them.
 */
#ifndef PORTAL_NETADDR_H
#define PORTAL_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

/* Any /64 prefix text, "/64" and the NUL fit. */
#define NET_RATE_KEY_MAX 64

/*
 * The key a client address counts under in a rate limit: an IPv4 address
 * as itself (also when written IPv4-mapped, ::ffff:192.0.2.1), an IPv6
 * address by its /64 prefix (a client rotating addresses inside its /64,
 * as every IPv6 host can, still counts once), in canonical text. False
 * (and key "-") when addr is no address.
 */
bool net_rate_key(const char *addr, char key[NET_RATE_KEY_MAX]);

#endif
