/* sasae certs: the help desk's small PKI (organisation CA, operator and relay certificates,
 * CRL) behind the sasae-certs tool; also used by tests to make certificates. */
#ifndef SASAE_CERTS_H
#define SASAE_CERTS_H

#include <stdint.h>
#include <stdio.h>

/* All functions return 0 on success or a negative errno-style value; *errbuf (if given,
 * 256 bytes) receives a one-line reason. Times are unix seconds. */

/* Creates ca.pem, ca.key (ECDSA P-384, mode 0600), an empty crl.pem and index in dir
 * (created mode 0700 if missing). Fails with -EEXIST if ca.key already exists. */
int sasae_certs_init_ca(const char *dir, const char *org, char *errbuf);

struct sasae_certs_validity {
    int64_t not_before; /* 0 = now - 5 minutes */
    int64_t not_after;  /* 0 = not_before + default days */
};

/* Issues an operator certificate: Ed25519 key, CN=name, O=CA's organisation, optional
 * email SAN, EKU clientAuth + SASAE operator OID. Writes operators/<slug>.pem and .key
 * (0600), where slug is name lower-cased with non [a-z0-9] runs as '-'. v may be NULL
 * (default 365 days). *serial_hex (if non-NULL, 80 bytes) receives the serial. */
int sasae_certs_issue_operator(const char *dir, const char *name, const char *email,
                               const struct sasae_certs_validity *v, char *serial_hex,
                               char *errbuf);

/* Issues relay.pem/relay.key: ECDSA P-256, EKU serverAuth, SANs from hosts (IP addresses
 * become iPAddress, others dNSName), CN = hosts[0]. 825 days unless v says otherwise. */
int sasae_certs_issue_relay(const char *dir, const char *const *hosts, int nhosts,
                            const struct sasae_certs_validity *v, char *serial_hex, char *errbuf);

/* Marks serial (hex, case-insensitive) revoked in index and rewrites crl.pem (valid
 * 24 hours). -ENOENT if unknown, -EALREADY if already revoked. */
int sasae_certs_revoke(const char *dir, const char *serial_hex, char *errbuf);

/* Rewrites crl.pem from index, valid 24 hours (re-sign it daily, before it expires). */
int sasae_certs_write_crl(const char *dir, char *errbuf);

/* Copies dir/crl.pem to dest atomically (temporary file, fsync, rename; mode 0644): the
 * file the relay serves to hosts (its `crl` setting). */
int sasae_certs_publish_crl(const char *dir, const char *dest, char *errbuf);

/* Prints the index as a table (serial, kind, status valid/expired/revoked, expiry,
 * subject) to out. */
int sasae_certs_list(const char *dir, FILE *out, char *errbuf);

#endif
