/* console.h - `relaxrun console`: an interactive Lua prompt on an instrument. */
#ifndef RR_CONSOLE_H
#define RR_CONSOLE_H

int rr_console_main(int argc, char **argv);

#endif
