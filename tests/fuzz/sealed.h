/*
 * sealed: what the fuzz targets of sealed input (bundle, envelope) share: a
 * fixed analyst key, so that seeds sealed to its public half (testkey.pub,
 * made by make-seeds) reach the payload reader, and payload callbacks that
 * accept anything.
 */
#ifndef FUZZ_SEALED_H
#define FUZZ_SEALED_H

#include "keys.h"
#include "payload.h"

/*
 * fuzz_sealed_key():
 * The key pair from the seed 0x42 x 32 (sodium_init is called first), or
 * NULL if libsodium cannot start.
 */
const struct keys_secret *fuzz_sealed_key(void);

/* Payload callbacks that take every item and keep nothing. */
extern const struct payload_callbacks fuzz_sealed_sink;

#endif
