/*
 * FFTW reference for the features benchmark: CPU microseconds per real-to-complex FFT of
 * N points (plan made once with FFTW_MEASURE, as a tuned C program would). CPU time, not
 * wall time, so other work on a shared machine does not count against it.
 * Built by bench/features.bench.ts at bench time: cc -O2 fftw_rfft.c -lfftw3 -lm.
 * Usage: fftw_rfft N seconds   -> prints {"n": N, "microseconds": t}
 */
#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 4096;
  double seconds = argc > 2 ? atof(argv[2]) : 1.0;
  double *in = fftw_malloc(sizeof(double) * n);
  fftw_complex *out = fftw_malloc(sizeof(fftw_complex) * (n / 2 + 1));
  fftw_plan plan = fftw_plan_dft_r2c_1d(n, in, out, FFTW_MEASURE);
  for (int i = 0; i < n; i++) in[i] = sin(i / 7.0) + 0.1 * cos(i / 3.0);
  double sink = 0;
  double warm = now() + 0.2;
  while (now() < warm) fftw_execute(plan);
  long calls = 0;
  double start = now();
  double end = start + seconds;
  while (now() < end) {
    for (int r = 0; r < 100; r++) fftw_execute(plan);
    sink += out[1][0];
    calls += 100;
  }
  double elapsed = now() - start;
  printf("{\"n\": %d, \"microseconds\": %.6f, \"sink\": %g}\n", n, 1e6 * elapsed / calls, sink);
  fftw_destroy_plan(plan);
  fftw_free(in);
  fftw_free(out);
  return 0;
}
