/* linedma_cli.h - the command-line entry points of the line-protocol side of
 * relaxrun, dispatched to by engine/main.c.
 *
 *   relaxrun emulate (--tcp HOST:PORT | --pty LINK) [--speed X] [--seed N]
 *                    [-I sim:PRESET] [--fault KIND[@DEVICE_TIME_S]]...
 *       serves the simulator over the DMA line protocol; the first line on
 *       stdout is the address served ("tcp:127.0.0.1:40123" or
 *       "serial:LINK"); runs until SIGINT/SIGTERM, then returns 0.
 *   relaxrun ports
 *       lists the serial ports that libserialport finds.
 *
 * argv[0] is the subcommand name ("emulate", "ports").  Both return an exit
 * code from enum rr_exit (engine/status.h).
 */
#ifndef RR_LINEDMA_CLI_H
#define RR_LINEDMA_CLI_H

int rr_emulate_main(int argc, char **argv);
int rr_ports_main(int argc, char **argv);

#endif
