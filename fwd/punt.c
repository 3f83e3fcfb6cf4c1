/*
 * Punt rings (see punt.h). 256 slots of 10 KB per worker: punted frames are
 * the rare ones, and a frame is copied once, with FWD_HEADROOM in front so
 * pipeline.c can push labels in place as on a receive ring. A full ring (or
 * a frame larger than a slot) is a counted drop, never a wait: a worker
 * does not stall behind the control thread. A frame prepared up to its next
 * hop carries the next hop's id, not its pointer: by the time the control
 * thread looks, the object may have been replaced and freed.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"
#include "fwd/nexthop.h"
#include "fwd/pipeline_int.h"
#include "fwd/punt.h"

#define PUNT_SLOTS 256u /* power of two */
/*
 * A slot holds a jumbo frame (an MTU of 9,216, Ethernet, labels): the frames
 * a worker hands over for fragments or fragmentation needed are the big
 * ones. 2.5 MB a worker, touched only as slots are used.
 */
#define PUNT_SLOT_BYTES 10240u
#define PUNT_DATA_MAX (PUNT_SLOT_BYTES - FWD_HEADROOM - 32u)

enum { PUNT_WHOLE = 0, PUNT_NH, PUNT_NO_ROUTE };

struct punt_slot {
	struct fwd_iface *in;
	uint32_t len;
	uint8_t kind, is_ip;
	uint32_t vrf_id, nh_id, inner;
	uint32_t vrf_epoch; /* the worker's batch's: what vrf_id meant (fwd.h) */
	uint32_t in_seq;    /* in->bind_seq when handed over: whose customer it came from */
	uint32_t nh_meaning; /* the next hop's meaning when handed over (nexthop.h) */
	struct lsr_in lsr_in;
	uint8_t buf[FWD_HEADROOM + PUNT_DATA_MAX];
};

struct punt_ring {
	_Alignas(64) _Atomic uint32_t head; /* the worker's */
	uint32_t pushed;                    /* since the last signal (worker) */
	_Alignas(64) _Atomic uint32_t tail; /* the control thread's */
	int efd;
	struct punt_slot slot[PUNT_SLOTS];
};

struct punt_ring *punt_ring_new(void)
{
	struct punt_ring *r = aligned_alloc(64, sizeof(*r));

	if (r == NULL)
		return NULL;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->pushed = 0;
	if ((r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		log_warn("punt ring: eventfd");
		free(r);
		return NULL;
	}
	return r;
}

void punt_ring_free(struct punt_ring *r)
{
	if (r == NULL)
		return;
	close(r->efd);
	free(r);
}

int punt_ring_fd(const struct punt_ring *r)
{
	return r->efd;
}

/* A free slot of this worker's ring with at most max slots in use, or NULL (the drop is counted). */
static struct punt_slot *slot_get(struct fwd *f, const struct fwd_pkt *p, uint32_t max)
{
	struct punt_ring *r = fwd_self->punt;
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (p->len > PUNT_DATA_MAX) {
		fwd_drop(f, FWD_DROP_MTU_EXCEEDED);
		return NULL;
	}
	if (h - atomic_load_explicit(&r->tail, memory_order_acquire) >= max) {
		fwd_drop(f, FWD_DROP_PUNT_FULL);
		return NULL;
	}
	return &r->slot[h & (PUNT_SLOTS - 1)];
}

static enum fwd_verdict slot_push(struct punt_slot *s, struct fwd_iface *in,
				  const struct fwd_pkt *p)
{
	struct punt_ring *r = fwd_self->punt;

	s->in = in;
	s->in_seq = __atomic_load_n(&in->bind_seq, __ATOMIC_ACQUIRE);
	s->len = (uint32_t)p->len;
	memcpy(s->buf + FWD_HEADROOM, p->data, p->len);
	atomic_store_explicit(&r->head, atomic_load_explicit(&r->head, memory_order_relaxed) + 1,
			      memory_order_release);
	r->pushed++;
	return FWD_PUNTED;
}

enum fwd_verdict punt_frame(struct fwd *f, struct fwd_iface *in, const struct fwd_pkt *p)
{
	struct punt_slot *s = slot_get(f, p, PUNT_SLOTS);

	if (s == NULL)
		return FWD_DROPPED;
	s->kind = PUNT_WHOLE;
	return slot_push(s, in, p);
}

static enum fwd_verdict nh_push(struct fwd *f, struct fwd_iface *in, const struct fwd_pkt *p,
				bool is_ip, uint32_t vrf_id, const struct nexthop *nh, uint32_t inner,
				struct lsr_in lsr_in, uint32_t max)
{
	struct punt_slot *s = slot_get(f, p, max);

	if (s == NULL)
		return FWD_DROPPED;
	s->kind = nh != NULL ? PUNT_NH : PUNT_NO_ROUTE;
	s->is_ip = is_ip;
	s->vrf_id = vrf_id;
	s->vrf_epoch = fwd_self != NULL ? fwd_self->vrf_epoch : 0;
	s->nh_id = nh != NULL ? nh->id : 0;
	s->nh_meaning = nh != NULL ? __atomic_load_n(&nh->meaning, __ATOMIC_RELAXED) : 0;
	s->inner = inner;
	s->lsr_in = lsr_in;
	return slot_push(s, in, p);
}

enum fwd_verdict punt_nh(struct fwd *f, struct fwd_iface *in, const struct fwd_pkt *p,
			 bool is_ip, uint32_t vrf_id, const struct nexthop *nh, uint32_t inner,
			 struct lsr_in lsr_in)
{
	return nh_push(f, in, p, is_ip, vrf_id, nh, inner, lsr_in, PUNT_SLOTS);
}

enum fwd_verdict punt_nh_bulk(struct fwd *f, struct fwd_iface *in, const struct fwd_pkt *p,
			      bool is_ip, uint32_t vrf_id, const struct nexthop *nh, uint32_t inner,
			      struct lsr_in lsr_in)
{
	return nh_push(f, in, p, is_ip, vrf_id, nh, inner, lsr_in, PUNT_SLOTS / 2);
}

void punt_ring_signal(struct punt_ring *r)
{
	uint64_t one = 1;

	if (r->pushed == 0)
		return;
	r->pushed = 0;
	if (write(r->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("punt ring: eventfd write: %s", strerror(errno));
}

static void finish(struct fwd *f, struct punt_slot *s)
{
	struct fwd_pkt p = { s->buf + FWD_HEADROOM, s->len, FWD_HEADROOM };
	struct nexthop *nh;

	/*
	 * From an attachment link that has left its VRF since: the old
	 * tenant's frame, which the link's new VRF must not see (nor answer).
	 */
	if (s->in->role == FWD_IF_ACCESS &&
	    s->in_seq != __atomic_load_n(&s->in->bind_seq, __ATOMIC_RELAXED)) {
		fwd_drop(f, FWD_DROP_NO_ROUTE);
		return;
	}
	if (s->kind == PUNT_WHOLE) {
		pipeline_frame(f, s->in, &p); /* received: counted by the worker */
		return;
	}
	/*
	 * A VRF gone since the worker's batch began may have left its id to
	 * another customer's: the frame then has no VRF to answer in.
	 */
	if (s->vrf_id < FWD_VRF_OF_CE &&
	    s->vrf_epoch != atomic_load_explicit(&f->vrf_epoch, memory_order_relaxed))
		s->vrf_id = FWD_VRF_NONE;
	/* the id deleted, or given another meaning (another customer's next hop?) since */
	if (s->kind == PUNT_NO_ROUTE)
		nh = NULL;
	else if ((nh = nh_find(f, s->nh_id)) == NULL || nh->meaning != s->nh_meaning) {
		fwd_drop(f, FWD_DROP_NO_NEXTHOP);
		return;
	}
	vector_nh_output(f, s->in, &p, s->is_ip, s->vrf_id, nh, s->inner, s->lsr_in);
}

unsigned punt_ring_drain(struct fwd *f, struct punt_ring *r)
{
	uint64_t n;
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t h;
	unsigned done = 0;

	if (read(r->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_debug("punt ring: eventfd read: %s", strerror(errno));
	h = atomic_load_explicit(&r->head, memory_order_acquire);
	for (; t != h; t++, done++) {
		finish(f, &r->slot[t & (PUNT_SLOTS - 1)]);
		atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	}
	return done;
}
