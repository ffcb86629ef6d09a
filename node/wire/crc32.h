/* crc32.h: the CRC-32 (zlib polynomial) a canvas header carries of its payload. */
#ifndef PAINTERS_CRC32_H
#define PAINTERS_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32_bytes(const void *data, size_t n);

#endif
