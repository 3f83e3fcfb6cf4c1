/*
 * AF_PACKET I/O backend: one raw socket per interface fwd owns, read in
 * batches (recvmmsg), each frame run through the pipeline, output gathered
 * per egress interface and written with sendmmsg at the end of the batch.
 */
#ifndef FERRY_FWD_IO_PACKET_H
#define FERRY_FWD_IO_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "fwd/fwd.h"

struct event_base;
struct io_packet;

struct io_packet *io_packet_new(struct event_base *base);
/* Fills hooks with this backend (ctx = io); call before fwd_new. */
void io_packet_hooks(struct io_packet *io, struct fwd_hooks *hooks);
/* The forwarding context frames are handed to; call once after fwd_new. */
void io_packet_attach(struct io_packet *io, struct fwd *f);
/*
 * fwd.io "af_xdp": interfaces opened from now on try AF_XDP (fwd's XDP
 * program and AF_XDP sockets) first. False when no XDP program is there
 * to load (logged): everything stays on AF_PACKET.
 */
bool io_packet_use_xdp(struct io_packet *io);
/*
 * fwd.rx_ring "frames": AF_PACKET receive rings opened from now on are
 * TPACKET_V2, a frame handed over as soon as it is in (no wait for a block
 * to fill or time out; frames up to IO_RING_FRAME_MAX bytes). Without this
 * call ("blocks", the default): TPACKET_V3.
 */
void io_packet_rx_frames(struct io_packet *io);
/*
 * fwd.workers: n forwarding threads (io_worker.c) take over the receiving
 * sockets of every interface opened from now on. Call after
 * io_packet_attach, before interfaces open. 0 or -errno (logged).
 */
int io_packet_start_workers(struct io_packet *io, unsigned n);
/* A packet socket bound to ifindex for proto (0: receives nothing); the fd or -errno. */
int io_packet_socket(int ifindex, uint16_t proto);
/* Binds packet socket fd to ifindex for proto again; 0 or -errno. */
int io_packet_bind(int fd, int ifindex, uint16_t proto);
/* Closes every socket (before fwd_free). */
void io_packet_free(struct io_packet *io);

/*
 * Once a second: opens active interfaces that are not open yet (they may
 * appear after fwd starts), refreshes MTU and MAC of open ones, sends what
 * is pending.
 */
void io_packet_tick(struct io_packet *io);
void io_packet_flush(struct io_packet *io);

#endif
