#ifndef NETRIG_DRV_HTTP_H
#define NETRIG_DRV_HTTP_H
/* The HTTP/1.1 client driver (drv_http in ep.h): rr with keep-alive and
 * pipelining, crr, open-loop rate, and stream (back-to-back large bodies),
 * over plain TCP or TLS, against netrig's own server or any HTTP server.
 * What to request is the test's shared target (http_target.h); the bytes
 * move in http_io.c, which ends a connection through the driver table's
 * close. */
#include "ep.h"
#include "http_target.h"

#endif
