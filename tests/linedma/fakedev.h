/* fakedev.h - a tiny virtual-time instrument for the line-protocol tests:
 * stress = E * strain * (0.9 + 0.1 exp(-(t - t0)/tau)), a furnace that
 * ramps at its rate, samples on the grid k / rate from ACQ:START, and the
 * simulator's fault keys (fault.overload_MPa, fault.break_at_s,
 * fault.heater), and its own keys: "fake.queue_errors" N: N asynchronous
 * 301 entries for next_error; "fake.t0_delay_s" D: a strain step is
 * answered at once but reaches its target (and strain_t0 tells its time)
 * only D later, the strain meanwhile the old one; "fake.idn_len" N: an
 * identification N characters long; "fake.unsupported" 1: the clamps DCANT
 * and COMP and the oscillation answer RR_ERR_UNSUPPORTED.  Its clock does not restart at reset, so the emulator's
 * own epoch is exercised.  Independent of drivers/sim on purpose. */
#ifndef RR_TEST_FAKEDEV_H
#define RR_TEST_FAKEDEV_H

#include "instrument.h"

#define FAKE_E_MPA 40000.0
#define FAKE_TAU_S 20.0

rr_status fakedev_open(rr_instrument **out);
/* The stress the fake reports at time since the step dt for strain e. */
double fakedev_stress(double e, double dt_s);
/* How many of the n samples taken at strain e after the step at t0_s
 * disagree with fakedev_stress by more than the line protocol's resolution
 * allows: the emulator sends times to 1e-6 s (%.6f), so t - t0 is known to
 * 1e-6 s and the stress to its slope times that, plus 10 digits (%.10g).
 * Samples at another strain (before the step) are skipped; *checked says
 * how many were compared. */
size_t fakedev_count_off(const rr_sample *s, size_t n, double e, double t0_s, size_t *checked);

#endif
