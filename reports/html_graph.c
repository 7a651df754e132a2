/* The cascade drawn over the fleet's dependency graph: the picture that
 * says in one look where a failure stopped. The layout is fixed (the fleet
 * has one shape); only colours, widths and step numbers come from the
 * document. */
#include "html.h"

#include <math.h>
#include <string.h>

#define FS_GRAPH_W  600
#define FS_GRAPH_H  290
#define FS_GRAPH_HW 50 /* node half width, half height */
#define FS_GRAPH_HH 16

typedef struct {
    const char *name;
    double x, y;
    int load; /* the load generator's faces, not fleet processes */
} fs__graph_node_t;

static const fs__graph_node_t fs__graph_nodes[] = {
    {"client", 56, 60, 1},        {"user", 56, 240, 1},   {"proxy", 220, 60, 0},
    {"dashboard", 220, 240, 0},   {"origin", 390, 60, 0}, {"botmod", 390, 150, 0},
    {"configstore", 540, 240, 0},
};
#define FS_GRAPH_NNODES (sizeof(fs__graph_nodes) / sizeof(fs__graph_nodes[0]))

/* The eight interfaces; curved ones name a control point (the direct line
 * from proxy to configstore would run through botmod). */
static const struct {
    const char *iface;
    int from, to;
    int curved;
    double cx, cy;
} fs__graph_edges[] = {
    {"client->proxy", 0, 2, 0, 0, 0},         {"user->dashboard", 1, 3, 0, 0, 0},
    {"proxy->botmod", 2, 5, 0, 0, 0},         {"proxy->origin", 2, 4, 0, 0, 0},
    {"proxy->configstore", 2, 6, 1, 560, 95}, {"botmod->configstore", 5, 6, 0, 0, 0},
    {"dashboard->botmod", 3, 5, 0, 0, 0},     {"dashboard->configstore", 3, 6, 0, 0, 0},
};
#define FS_GRAPH_NEDGES (sizeof(fs__graph_edges) / sizeof(fs__graph_edges[0]))

enum { FS_GRAPH_GREY, FS_GRAPH_AMBER, FS_GRAPH_RED, FS_GRAPH_NONE };
static const char *const fs__graph_colour[] = {"#9aa3ab", "#e09b00", "#c0392b", "#d5d8dc"};
static const char *const fs__graph_marker[] = {"grey", "amber", "red", "none"};

/* How far from a node's centre, along (dx, dy), its box ends. */
static double fs__graph_clip(double dx, double dy)
{
    double tx = fabs(dx) > 1e-9 ? FS_GRAPH_HW / fabs(dx) : 1e9;
    double ty = fabs(dy) > 1e-9 ? FS_GRAPH_HH / fabs(dy) : 1e9;

    return tx < ty ? tx : ty;
}

static int fs__graph_state(const cJSON *doc, const char *iface)
{
    const cJSON *ifs = cJSON_GetObjectItemCaseSensitive(doc, "interfaces");
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(ifs, iface);
    const char *v = fs__report_str(cJSON_GetObjectItemCaseSensitive(doc, "verdicts"), iface);

    if (v == NULL)
        v = fs__report_str(it, "verdict");
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "broken")) ||
        (v && strcmp(v, "cascaded") == 0))
        return FS_GRAPH_RED;
    if (v && strcmp(v, "failed_small") == 0)
        return FS_GRAPH_AMBER;
    if (v && strcmp(v, "unaffected") == 0)
        return FS_GRAPH_GREY;
    return FS_GRAPH_NONE;
}

/* 1-based position of iface on the cascade path, 0 when not on it. */
static int fs__graph_step(const cJSON *doc, const char *iface)
{
    const cJSON *s;
    int i = 0;

    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(doc, "cascade_path"))
    {
        i++;
        if (cJSON_IsString(s) && s->valuestring && strcmp(s->valuestring, iface) == 0)
            return i;
    }
    return 0;
}

static void fs__graph_defs(fs__report_buf_t *b, size_t idx)
{
    fs__report_buf_puts(b, "<defs>");
    for (int c = 0; c < 4; c++)
        fs__report_buf_printf(b,
                              "<marker id=\"g%zu-%s\" viewBox=\"0 0 10 10\" refX=\"9\" "
                              "refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" "
                              "markerUnits=\"userSpaceOnUse\" orient=\"auto\">"
                              "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>",
                              idx, fs__graph_marker[c], fs__graph_colour[c]);
    fs__report_buf_puts(b, "</defs>");
}

static void fs__graph_edge(fs__report_buf_t *b, const cJSON *doc, size_t idx, size_t e)
{
    const fs__graph_node_t *a = &fs__graph_nodes[fs__graph_edges[e].from];
    const fs__graph_node_t *z = &fs__graph_nodes[fs__graph_edges[e].to];
    const char *iface = fs__graph_edges[e].iface;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "interfaces"), iface);
    int state = fs__graph_state(doc, iface), step = fs__graph_step(doc, iface);
    int faulted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "faulted"));
    double cx = fs__graph_edges[e].curved ? fs__graph_edges[e].cx : (a->x + z->x) / 2;
    double cy = fs__graph_edges[e].curved ? fs__graph_edges[e].cy : (a->y + z->y) / 2;
    double sx, sy, ex, ey, t, mx, my, fx, fy;
    const char *v = fs__report_str(cJSON_GetObjectItemCaseSensitive(doc, "verdicts"), iface);

    /* Leave each box along the direction the line takes there; the end
     * stops short so the arrow head stays visible. */
    t = fs__graph_clip(cx - a->x, cy - a->y);
    sx = a->x + (cx - a->x) * t;
    sy = a->y + (cy - a->y) * t;
    t = fs__graph_clip(z->x - cx, z->y - cy);
    ex = z->x - (z->x - cx) * t;
    ey = z->y - (z->y - cy) * t;
    t = hypot(ex - cx, ey - cy);
    if (t > 4) {
        ex -= (ex - cx) / t * 3;
        ey -= (ey - cy) / t * 3;
    }
    /* The middle of the (possibly curved) line, for the step badge; the
     * fault tag beside it, off the line's left-hand side. */
    mx = 0.25 * sx + 0.5 * cx + 0.25 * ex;
    my = 0.25 * sy + 0.5 * cy + 0.25 * ey;
    t = hypot(ex - sx, ey - sy);
    fx = mx + (t > 1 ? (ey - sy) / t : 0) * 20;
    fy = my - (t > 1 ? (ex - sx) / t : 1) * 20;

    fs__report_buf_printf(b, "<g class=\"edge e-%s%s\"><title>", fs__graph_marker[state],
                          step ? " cascade" : "");
    fs__report_buf_html(b, iface);
    fs__report_buf_puts(b, ": ");
    fs__report_buf_html(b, v ? v : "no verdict");
    if (faulted)
        fs__report_buf_puts(b, " (faulted)");
    if (step)
        fs__report_buf_printf(b, " \xe2\x80\x94 cascade step %d", step);
    fs__report_buf_printf(b,
                          "</title><path d=\"M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f\" fill=\"none\" "
                          "stroke=\"%s\" stroke-width=\"%s\"%s marker-end=\"url(#g%zu-%s)\"/>",
                          sx, sy, cx, cy, ex, ey, fs__graph_colour[state], step ? "5" : "2",
                          state == FS_GRAPH_NONE ? " stroke-dasharray=\"4 3\"" : "", idx,
                          fs__graph_marker[state]);
    if (faulted)
        fs__report_buf_printf(b,
                              "<g transform=\"translate(%.1f,%.1f)\"><rect x=\"-17\" y=\"-8\" "
                              "width=\"34\" height=\"15\" rx=\"3\" fill=\"#1c2833\"/>"
                              "<text y=\"3.5\" text-anchor=\"middle\" font-size=\"10\" "
                              "fill=\"#ffffff\">fault</text></g>",
                              fx, fy);
    if (step)
        fs__report_buf_printf(b,
                              "<g transform=\"translate(%.1f,%.1f)\"><circle r=\"9\" "
                              "fill=\"#ffffff\" stroke=\"%s\" stroke-width=\"2\"/>"
                              "<text y=\"4\" text-anchor=\"middle\" font-size=\"11\" "
                              "font-weight=\"bold\" fill=\"%s\">%d</text></g>",
                              mx, my, fs__graph_colour[state], fs__graph_colour[state], step);
    fs__report_buf_puts(b, "</g>");
}

void fs__html_graph(fs__report_buf_t *b, const cJSON *doc, size_t idx)
{
    const char *posture = fs__report_str(doc, "posture");

    fs__report_buf_printf(b,
                          "<svg class=\"graph\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                          "role=\"img\" aria-label=\"dependency graph",
                          FS_GRAPH_W, FS_GRAPH_H, FS_GRAPH_W, FS_GRAPH_H);
    if (posture) {
        fs__report_buf_puts(b, ", ");
        fs__report_buf_html(b, posture);
    }
    fs__report_buf_puts(b, "\" font-family=\"system-ui, sans-serif\">");
    fs__graph_defs(b, idx);
    /* Grey first, the cascade last: what matters is drawn on top. */
    for (int pass = 0; pass < 3; pass++) {
        for (size_t e = 0; e < FS_GRAPH_NEDGES; e++) {
            int st = fs__graph_state(doc, fs__graph_edges[e].iface);
            int on = fs__graph_step(doc, fs__graph_edges[e].iface) > 0;
            int p = on ? 2 : st == FS_GRAPH_GREY || st == FS_GRAPH_NONE ? 0 : 1;
            if (p == pass)
                fs__graph_edge(b, doc, idx, e);
        }
    }
    for (size_t i = 0; i < FS_GRAPH_NNODES; i++) {
        const fs__graph_node_t *n = &fs__graph_nodes[i];

        fs__report_buf_printf(
            b,
            "<g class=\"node\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" rx=\"6\" "
            "fill=\"%s\" stroke=\"#34495e\" stroke-width=\"1.2\"%s/>"
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\" "
            "fill=\"#1c2833\">%s</text></g>",
            n->x - FS_GRAPH_HW, n->y - FS_GRAPH_HH, 2 * FS_GRAPH_HW, 2 * FS_GRAPH_HH,
            n->load ? "#eaf2f8" : "#ffffff", n->load ? " stroke-dasharray=\"3 2\"" : "", n->x,
            n->y + 4.5, n->name);
    }
    fs__report_buf_puts(b, "</svg>");
}
