/*
 * libcartel: the register of prisoners of war, matching across scripts,
 * exchange planning and signed lists. This header includes the others.
 */
#ifndef CARTEL_CARTEL_H
#define CARTEL_CARTEL_H

#include "csv.h"
#include "data.h"
#include "date.h"
#include "error.h"
#include "file.h"
#include "i18n.h"
#include "person.h"
#include "progress.h"
#include "term.h"

#define CARTEL_VERSION "0.1.0"

#endif
