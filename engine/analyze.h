/* analyze.h - `relaxrun analyze [SCRIPT.lua] FILE ...`: analysis of recorded
 * data from the command line, without an instrument. */
#ifndef RR_ANALYZE_H
#define RR_ANALYZE_H

int rr_analyze_main(int argc, char **argv);

#endif
