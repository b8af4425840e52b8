/* One text-setting thread at a time (core/text_lock.h). */
#include <pthread.h>

#include "core/text_lock.h"

static pthread_mutex_t text_mu = PTHREAD_MUTEX_INITIALIZER;

void
cartel__text_lock(void)
{
	pthread_mutex_lock(&text_mu);
}

void
cartel__text_unlock(void)
{
	pthread_mutex_unlock(&text_mu);
}
