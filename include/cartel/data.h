/*
 * The folder of the data cartel ships (data/ in the source tree,
 * PREFIX/share/cartel once installed).
 */
#ifndef CARTEL_DATA_H
#define CARTEL_DATA_H

/*
 * Returns the folder to read name tables and other shipped data from: the
 * environment variable CARTEL_DATA when set and not empty, else the source
 * tree's data/ when it holds the name tables, else the installed folder.
 * Static or environment storage; never NULL.
 */
const char *cartel_data_dir(void);

#endif
