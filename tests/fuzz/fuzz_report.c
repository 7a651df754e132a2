/* libFuzzer target: the reports built from a results.json document
 * (fs_report_parse, what fs_report_load runs on a file's bytes): junit.xml,
 * summary.md and report.html with the document as both postures side by
 * side, and the suite pages (index.html, summary.md) over it. Charts are
 * left out: they run gnuplot, a process per input. The files go to one
 * scratch folder made at start and removed at exit. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "report.h"
#include "xml.h"

#define FZ_REPORT_FILES 4

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzzer's process-wide scratch folder and the files written in it. */
static char fz_dir[] = "/tmp/fuzz_report.XXXXXX";
static char fz_path[FZ_REPORT_FILES][sizeof(fz_dir) + 16];

static void fz_cleanup(void)
{
    for (int i = 0; i < FZ_REPORT_FILES; i++)
        unlink(fz_path[i]);
    rmdir(fz_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const names[FZ_REPORT_FILES] = {"junit.xml", "summary.md", "report.html",
                                                       "index.html"};

    (void)argc;
    (void)argv;
    if (mkdtemp(fz_dir) == NULL) {
        perror("fuzz_report: mkdtemp");
        abort();
    }
    for (int i = 0; i < FZ_REPORT_FILES; i++)
        snprintf(fz_path[i], sizeof(fz_path[i]), "%s/%s", fz_dir, names[i]);
    atexit(fz_cleanup);
    return 0;
}

/* Every page must be UTF-8 whatever the input held (xml.h): a byte that
 * is not would show as mojibake or make a reader reject the file. */
static void fz_check_utf8(const char *path)
{
    char buf[1 << 16];
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL)
        return; /* not written: the writer reported an error */
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = fs_xml_utf8_next(buf + i, &cp);

        /* A U+FFFD the writer put there is 3 bytes; one from a bad byte is 1. */
        if (cp == 0xfffd && k == 1 && n - i >= 4) {
            fprintf(stderr, "fuzz_report: %s: byte %zu is not UTF-8\n", path, i);
            abort();
        }
        i += buf[i] ? k : 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *doc = NULL;
    const cJSON *docs[2];
    const cJSON *const *sets[1] = {docs};
    size_t nsets[1] = {2};
    const char *rel[1] = {"."};
    char err[1024];

    if (fs_report_parse((const char *)data, size, "results.json", &doc, err, sizeof(err)) < 0)
        return 0;
    docs[0] = docs[1] = doc;
    fs_report_junit(docs, 2, fz_path[0], err, sizeof(err));
    fs_report_markdown(docs, 2, "", fz_path[1], err, sizeof(err));
    fs_report_html(docs, 2, fz_dir, fz_path[2], err, sizeof(err));
    fs_report_suite(sets, nsets, rel, 1, fz_dir, err, sizeof(err));
    for (int i = 0; i < FZ_REPORT_FILES; i++)
        fz_check_utf8(fz_path[i]);
    cJSON_Delete(doc);
    return 0;
}
