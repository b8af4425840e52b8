/*
 * One thread at a time sets text with pango, fontconfig and cairo (the
 * charts of report.c, the printed lists of print.c). The server renders
 * charts on several worker threads; those libraries keep caches of fonts
 * and configuration shared by the whole process, and their thread safety
 * has varied from release to release. A render takes milliseconds, so
 * taking turns costs little and rules the question out.
 */
#ifndef CARTEL_CORE_TEXT_LOCK_H
#define CARTEL_CORE_TEXT_LOCK_H

void cartel__text_lock(void);
void cartel__text_unlock(void);

#endif
