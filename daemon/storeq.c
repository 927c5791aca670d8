/*
 * storeq: see storeq.h. Both lists are FIFO under one mutex; each side
 * takes a whole list at once and works on it outside the lock. The writer
 * is woken by a condition variable, the loop by its event.
 */
#include <pthread.h>
#include <stdlib.h>

#include <event2/event.h>

#include "storeq.h"

/* A FIFO of messages. */
struct list {
	struct storeq_msg *head, **tailp;
};

struct storeq {
	void (*answered)(void *arg, struct storeq_msg *m);
	void *arg;
	struct event *ev;		/* run the answers on the loop */
	pthread_mutex_t mtx;
	pthread_cond_t cond;

	/* Under mtx. */
	struct list requests;		/* to the writer */
	struct list answers;		/* to the loop */
	int closed;
};

static void
list_init(struct list *l)
{

	l->head = NULL;
	l->tailp = &l->head;
}

/* Append a list ending in last, or one message (first == last). */
static void
list_append(struct list *l, struct storeq_msg *first, struct storeq_msg *last)
{

	last->next = NULL;
	*l->tailp = first;
	l->tailp = &last->next;
}

/* Everything in l, which is left empty. */
static struct storeq_msg *
list_take(struct list *l)
{
	struct storeq_msg *all = l->head;

	list_init(l);
	return all;
}

static void
on_answers(evutil_socket_t fd, short what, void *arg)
{
	struct storeq *q = arg;
	struct storeq_msg *m, *next;

	pthread_mutex_lock(&q->mtx);
	m = list_take(&q->answers);
	pthread_mutex_unlock(&q->mtx);
	for (; m != NULL; m = next) {
		next = m->next;		/* m may be freed by answered */
		q->answered(q->arg, m);
	}
}

struct storeq *
storeq_new(struct event_base *base,
    void (*answered)(void *arg, struct storeq_msg *m), void *arg)
{
	struct storeq *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->answered = answered;
	q->arg = arg;
	list_init(&q->requests);
	list_init(&q->answers);
	if ((q->ev = event_new(base, -1, 0, on_answers, q)) == NULL)
		goto err0;
	if (pthread_mutex_init(&q->mtx, NULL) != 0)
		goto err1;
	if (pthread_cond_init(&q->cond, NULL) != 0)
		goto err2;
	return q;

err2:
	pthread_mutex_destroy(&q->mtx);
err1:
	event_free(q->ev);
err0:
	free(q);
	return NULL;
}

void
storeq_send(struct storeq *q, struct storeq_msg *m)
{

	pthread_mutex_lock(&q->mtx);
	list_append(&q->requests, m, m);
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->mtx);
}

void
storeq_close(struct storeq *q)
{

	pthread_mutex_lock(&q->mtx);
	q->closed = 1;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->mtx);
}

struct storeq_msg *
storeq_receive(struct storeq *q, time_t until, int *closed)
{
	struct timespec t = { until, 0 };
	struct storeq_msg *m;

	pthread_mutex_lock(&q->mtx);
	while (q->requests.head == NULL && !q->closed && time(NULL) < until)
		pthread_cond_timedwait(&q->cond, &q->mtx, &t);
	*closed = q->requests.head == NULL && q->closed;
	m = list_take(&q->requests);
	pthread_mutex_unlock(&q->mtx);
	return m;
}

void
storeq_answer(struct storeq *q, struct storeq_msg *list)
{
	struct storeq_msg *last = list;

	if (list == NULL)
		return;
	while (last->next != NULL)
		last = last->next;
	pthread_mutex_lock(&q->mtx);
	list_append(&q->answers, list, last);
	event_active(q->ev, 0, 0);
	pthread_mutex_unlock(&q->mtx);
}

void
storeq_free(struct storeq *q)
{

	if (q == NULL)
		return;
	on_answers(-1, 0, q);
	event_free(q->ev);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->mtx);
	free(q);
}
