/* sasae-certs: the help desk's certificate tool (organisation CA, operators, relay, CRL). */
#include "sasae/certs.h"

#include "brand.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: sasae-certs [--dir STATEDIR] COMMAND [options]\n"
               "  init-ca --org NAME                 create the organisation CA\n"
               "  issue-operator --name \"Full Name\" [--email ADDR] [--days N]\n"
               "  issue-relay --host H [--host H...] [--days N]   relay TLS certificate\n"
               "  list                               show issued certificates\n"
               "  revoke SERIAL [--publish FILE]     revoke, rewrite crl.pem (and publish it)\n"
               "  crl [--publish FILE]               re-sign crl.pem, valid 24 hours (run daily);\n"
               "                                     --publish copies it atomically to FILE, the\n"
               "                                     relay's `crl` file that it serves to hosts\n"
               "  brand --exe sasae-host.exe --out BRANDED.exe --relay wss://HOST:PORT/\n"
               "        --relay-ca FILE --org-ca FILE [--org-name NAME]\n"
               "                                     a copy of the Windows host that needs no\n"
               "                                     options (sign it afterwards)\n"
               "  brand --show EXE                   what an exe is branded with\n"
               "STATEDIR defaults to $SASAE_CERTS_DIR or ./sasae-certs.\n");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "brand") == 0)
        return certs_brand_main(argc - 1, argv + 1);
    const char *dir = getenv("SASAE_CERTS_DIR");
    const char *org = NULL, *name = NULL, *email = NULL, *hosts[16], *publish = NULL;
    int nhosts = 0;
    long days = 0;
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"org", required_argument, NULL, 'o'},
        {"name", required_argument, NULL, 'n'},
        {"email", required_argument, NULL, 'e'},
        {"host", required_argument, NULL, 'H'},
        {"days", required_argument, NULL, 'D'},
        {"publish", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    /* GNU getopt permutes: options may come before or after the command. */
    while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 'o':
            org = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'e':
            email = optarg;
            break;
        case 'P':
            publish = optarg;
            break;
        case 'H':
            if (nhosts == 16) {
                fprintf(stderr, "sasae-certs: at most 16 --host\n");
                return 2;
            }
            hosts[nhosts++] = optarg;
            break;
        case 'D': {
            char *end;
            days = strtol(optarg, &end, 10);
            if (*end || days < 1 || days > 3650) {
                fprintf(stderr, "sasae-certs: --days must be 1..3650\n");
                return 2;
            }
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    if (!dir)
        dir = "sasae-certs";
    const char *cmd = argv[optind];
    char err[256] = "", serial[80] = "";
    struct sasae_certs_validity v = {0, 0}, *vp = NULL;
    if (days) {
        v.not_before = (int64_t)time(NULL) - 300;
        v.not_after = v.not_before + (int64_t)days * 86400;
        vp = &v;
    }
    int rc;
    if (publish && strcmp(cmd, "revoke") != 0 && strcmp(cmd, "crl") != 0) {
        fprintf(stderr, "sasae-certs: --publish goes with revoke or crl\n");
        return 2;
    }
    if (strcmp(cmd, "init-ca") == 0 && optind + 1 == argc) {
        if (!org) {
            fprintf(stderr, "sasae-certs: init-ca needs --org NAME\n");
            return 2;
        }
        rc = sasae_certs_init_ca(dir, org, err);
        if (!rc)
            printf("CA created in %s\n", dir);
    } else if (strcmp(cmd, "issue-operator") == 0 && optind + 1 == argc) {
        if (!name) {
            fprintf(stderr, "sasae-certs: issue-operator needs --name \"Full Name\"\n");
            return 2;
        }
        rc = sasae_certs_issue_operator(dir, name, email, vp, serial, err);
        if (!rc)
            printf("%s\n", serial);
    } else if (strcmp(cmd, "issue-relay") == 0 && optind + 1 == argc) {
        if (!nhosts) {
            fprintf(stderr, "sasae-certs: issue-relay needs --host NAME (repeatable)\n");
            return 2;
        }
        rc = sasae_certs_issue_relay(dir, hosts, nhosts, vp, serial, err);
        if (!rc)
            printf("%s\n", serial);
    } else if (strcmp(cmd, "list") == 0 && optind + 1 == argc) {
        rc = sasae_certs_list(dir, stdout, err);
    } else if (strcmp(cmd, "revoke") == 0 && optind + 2 == argc) {
        rc = sasae_certs_revoke(dir, argv[optind + 1], err);
        if (!rc)
            printf("revoked %s; %s/crl.pem rewritten\n", argv[optind + 1], dir);
    } else if (strcmp(cmd, "crl") == 0 && optind + 1 == argc) {
        rc = sasae_certs_write_crl(dir, err);
    } else {
        usage(stderr);
        return 2;
    }
    if (!rc && publish) {
        rc = sasae_certs_publish_crl(dir, publish, err);
        if (!rc)
            printf("published %s/crl.pem to %s\n", dir, publish);
    }
    if (rc) {
        fprintf(stderr, "sasae-certs: %s\n", err[0] ? err : strerror(-rc));
        return 1;
    }
    return 0;
}
