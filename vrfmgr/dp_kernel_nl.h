/* dp_kernel_nl: the kernel dataplane's struct dpk_io over an rtnetlink socket (libnl-route-3). */
#ifndef FERRY_VRFMGR_DP_KERNEL_NL_H
#define FERRY_VRFMGR_DP_KERNEL_NL_H

#include <stddef.h>

#include "vrfmgr/dp_kernel.h"

struct dpk_nl;
extern const struct dpk_io_ops dpk_nl_ops;
/* A connected socket, or NULL with why in err. */
struct dpk_nl *dpk_nl_open(char *err, size_t errlen);
void dpk_nl_close(struct dpk_nl *nl);

#endif
