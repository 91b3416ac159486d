/* netaddr.c - client addresses as rate limits count them (see netaddr.h). */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "netaddr.h"

bool
net_rate_key(const char *addr, char key[NET_RATE_KEY_MAX])
{
	unsigned char v6[16] = { 0 };
	struct in_addr v4;
	char text[INET6_ADDRSTRLEN];
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	if (addr != NULL && inet_pton(AF_INET, addr, &v4) == 1) {
		inet_ntop(AF_INET, &v4, key, NET_RATE_KEY_MAX);
		return true;
	}
	if (addr == NULL || inet_pton(AF_INET6, addr, v6) != 1) {
		snprintf(key, NET_RATE_KEY_MAX, "-");
		return false;
	}
	if (memcmp(v6, mapped, sizeof(mapped)) == 0) {
		memcpy(&v4, v6 + 12, 4);
		inet_ntop(AF_INET, &v4, key, NET_RATE_KEY_MAX);
		return true;
	}
	memset(v6 + 8, 0, 8);
	inet_ntop(AF_INET6, v6, text, sizeof(text));
	snprintf(key, NET_RATE_KEY_MAX, "%s/64", text);
	return true;
}
