/* A small Prometheus registry: counters, gauges and fixed-bucket latency
 * histograms, rendered in the text exposition format for GET /metrics. */
#ifndef FS_METRICS_H
#define FS_METRICS_H

#include <stddef.h>

typedef struct fs_metrics_s fs_metrics_t;
typedef struct fs_metric_s fs_metric_t;

typedef enum { FS_METRIC_COUNTER, FS_METRIC_GAUGE, FS_METRIC_HISTOGRAM } fs_metric_kind_t;

/* Creates a registry. const_labels (e.g. `service="botmod",node="1"`, or
 * NULL) are added to every series. Returns 0 or -ENOMEM. */
int fs_metrics_new(const char *const_labels, fs_metrics_t **out);
void fs_metrics_free(fs_metrics_t *m);

/* Returns the series NAME{labels}, creating it at zero on first use; labels
 * is "" / NULL or `key="bot/features"`. Series live as long as m. Returns
 * NULL on allocation failure or when name is already registered with
 * another kind. Histograms observe seconds (buckets 1 ms .. 10 s). */
fs_metric_t *fs_metrics_series(fs_metrics_t *m, fs_metric_kind_t kind, const char *name,
                               const char *help, const char *labels);

void fs_metric_add(fs_metric_t *s, double v);           /* counter or gauge; NULL is a no-op */
void fs_metric_set(fs_metric_t *s, double v);           /* gauge; NULL is a no-op */
void fs_metric_observe(fs_metric_t *s, double seconds); /* histogram; NULL is a no-op */

/* Counter/gauge value, or histogram observation count. */
double fs_metric_value(const fs_metric_t *s);

/* Renders every series, grouped by name with one HELP/TYPE each, into a
 * malloc'd NUL-terminated buffer the caller frees. Returns 0 or -ENOMEM. */
int fs_metrics_render(const fs_metrics_t *m, char **out, size_t *len);

#endif
