#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "configgen.h"
#include "inj_config.h"
#include "inj_dependency.h"
#include "inj_fiu.h"
#include "fs_json.h"
#include "injector.h"
#include "inj_link.h"
#include "inj_process.h"
#include "scenario.h"
#include "testutil.h"

/* The design brief's sketch, verbatim: the format's contract. */
static const char sketch[] =
    "{\n"
    "  \"name\": \"cf-2025-11-18-bot-feature-file\",\n"
    "  \"title\": \"Bot feature file grows past the module's limit\",\n"
    "  \"description\": \"…\", \"references\": [\"…\"],\n"
    "  \"seed\": 42,\n"
    "  \"duration\": \"12s\",\n"
    "  \"fleet\": { \"nodes\": 4, \"old_engine_share\": 0.25 },\n"
    "  \"postures\": [\"legacy\", \"hardened\"],\n"
    "  \"load\": { \"proxy_rps\": 400, \"login_rps\": 10, \"bot_share\": 0.2 },\n"
    "  \"slo\": { \"success\": 0.99, \"latency\": \"1s\", \"bucket\": \"100ms\", \"min_buckets\": "
    "3, \"grace\": \"1s\" },\n"
    "  \"faults\": [\n"
    "    { \"at\": \"3s\", \"for\": \"6s\", \"kind\": \"config.oversize\", \"key\": "
    "\"bot/features\", \"features\": 240,\n"
    "      \"flap\": { \"every\": \"2s\", \"bad_share\": 0.5 } },\n"
    "    { \"at\": \"4s\", \"kind\": \"process.crash\", \"target\": \"botmod[0]\", \"signal\": "
    "\"SEGV\" },\n"
    "    { \"at\": \"4s\", \"for\": \"2s\", \"kind\": \"link.latency\", \"target\": "
    "\"proxy->origin\", \"ms\": 1500, \"jitter_ms\": 200 },\n"
    "    { \"at\": \"4s\", \"for\": \"2s\", \"kind\": \"fiu\", \"target\": \"configstore\", "
    "\"point\": \"configstore/get\", \"probability\": 0.5 }\n"
    "  ],\n"
    "  \"expect\": {\n"
    "    \"legacy\":   { \"interfaces\": { \"botmod->configstore\": \"cascaded\", "
    "\"proxy->botmod\": \"cascaded\" }, \"blast_radius\": { \"min\": 0.5 } },\n"
    "    \"hardened\": { \"interfaces\": { \"botmod->configstore\": \"failed_small\", "
    "\"proxy->botmod\": \"unaffected\" }, \"blast_radius\": { \"max\": 0.01 } }\n"
    "  }\n"
    "}\n";

/* Cases are written with ' for " to stay readable; this swaps them. */
static char *dq(const char *text)
{
    char *s = strdup(text);

    assert_non_null(s);
    for (char *p = s; *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    return s;
}

static int parse(const char *json, const fs_scenario_opts_t *opts, fs_scenario_t **out, char *err,
                 size_t errlen)
{
    return fs_scenario_parse(json, strlen(json), "t.json", opts, out, err, errlen);
}

/* Loads text (with ' for ") and returns the scenario, failing the test with
 * the loader's message if it does not load. */
static fs_scenario_t *good(const char *text, const fs_scenario_opts_t *opts)
{
    char *json = dq(text), err[1024] = "";
    fs_scenario_t *s = NULL;
    int rc = parse(json, opts, &s, err, sizeof(err));

    free(json);
    if (rc != 0)
        fail_msg("rc %d: %s", rc, err);
    assert_non_null(s);
    return s;
}

#define HEAD     "{'name':'t','duration':'10s',"
#define CRASH    "{'at':'1s','kind':'process.crash','target':'botmod'}"
#define WITH(x)  HEAD x ",'faults':[" CRASH "]}"
#define FAULT(x) HEAD "'faults':[" x "]}"
#define LAT(x)                                                                                     \
    FAULT("{'at':'1s','for':'2s','kind':'link.latency','target':'proxy->origin','ms':100" x "}")
#define CFG(kind, x) FAULT("{'at':'1s','for':'6s','kind':'config." kind "'" x "}")
#define OP(x)        FAULT("{'at':'1s','for':'5s','kind':'operator.rollback'" x "}")
#define EXPECT(x)    WITH("'postures':['legacy'],'expect':{'legacy':{" x "}}")

typedef struct {
    const char *json; /* ' for " */
    const char *want; /* the message starts with this */
} bad_case_t;

static const bad_case_t bad_cases[] = {
    /* syntax and shape */
    {"{'name':'t',\n 'duration': 3s}",
     "t.json:2:14: '3s' is not a number (a duration is a string in double quotes)"},
    {"{'name':'t'} x", "t.json:1:14: trailing data after the document"},
    {"", "t.json: empty document (a scenario is a JSON object)"},
    {"  \n", "t.json: empty document (a scenario is a JSON object)"},
    {"{'name':'t',}", "t.json:1:12: trailing comma before '}'"},
    {"{'name':'a\\u0000b'}", "t.json:1:11: \\u0000 is not allowed"},
    {"{'name':'a\\u00G0'}", "t.json:1:11: invalid escape: \\u needs four hex digits"},
    {"{'a':[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
     "t.json:1:37: nested deeper than 32 levels"},
    {"\xef\xbb\xbf{'name':'t',}", "t.json:1:12: trailing comma before '}'"},
    {"[1]", "t.json: $: expected an object, got an array"},
    {WITH("'nmae':'x'"), "t.json: $.nmae: unknown field (a scenario takes $schema, name, "},
    {WITH("'$schema':5"), "t.json: $[\"$schema\"]: expected a string, got a number"},
    /* name, title, description, references, seed */
    {"{'duration':'10s','faults':[" CRASH "]}", "t.json: $.name: missing (required)"},
    {"{'name':'Bad Name','duration':'10s','faults':[" CRASH "]}",
     "t.json: $.name: \"Bad Name\": must match [a-z0-9][a-z0-9._-]{0,63}"},
    {"{'name':'-x','duration':'10s','faults':[" CRASH "]}", "t.json: $.name: \"-x\": must match"},
    {"{'name':'b\xc3\xa4"
     "d-\xf0\x9f\x92\xa5','duration':'10s','faults':[" CRASH "]}",
     "t.json: $.name: \"b\\u00e4d-\\ud83d\\udca5\": must match"},
    {"{'name':'a\\\"b','duration':'10s','faults':[" CRASH "]}",
     "t.json: $.name: \"a\\\"b\": must match"},
    {"{'name':5,'duration':'10s','faults':[" CRASH "]}",
     "t.json: $.name: expected a string, got a number"},
    {"{'name':'a\\tb','duration':'10s','faults':[" CRASH "]}",
     "t.json: $.name: \"a\\tb\": holds a control character"},
    {"{'name':'a1234567890123456789012345678901234567890123456789012345678901234','duration':"
     "'10s','faults':[" CRASH "]}",
     "t.json: $.name: longer than 64 bytes"},
    {WITH("'title':''"), "t.json: $.title: must not be empty"},
    {WITH("'description':5"), "t.json: $.description: expected a string, got a number"},
    {WITH("'references':['a',3]"), "t.json: $.references[1]: expected a string, got a number"},
    {WITH("'references':'a'"), "t.json: $.references: expected an array of strings, got a string"},
    {WITH("'seed':-1"),
     "t.json: $.seed: expected a whole number from 0 to 999999999999999, got -1"},
    {WITH("'seed':1.5"), "t.json: $.seed: expected a whole number from 0 to 999999999999999, got "
                         "1.5"},
    {WITH("'seed':'42'"), "t.json: $.seed: expected a whole number from 0 to 999999999999999, "
                          "got a string"},
    {WITH("'seed':9007199254740993"),
     "t.json: $.seed: expected a whole number from 0 to 999999999999999, got 9.00719925474099e+15"},
    {WITH("'seed':1e400"), "t.json: $.seed: expected a whole number from 0 to 999999999999999, "
                           "got inf"},
    {WITH("'fleet':{'nodes':-0}"), "t.json: $.fleet.nodes: expected a whole number from 1 to 64, "
                                   "got -0"},
    {LAT(",'probability':1.0000001"), "t.json: $.faults[0].probability: expected a number from 0 "
                                      "to 1, got 1.0000001"},
    {WITH("'seed':1000000000000000"),
     "t.json: $.seed: expected a whole number from 0 to 999999999999999, got 1000000000000000"},
    /* duration */
    {"{'name':'t','faults':[" CRASH "]}", "t.json: $.duration: missing (required)"},
    {"{'name':'t','duration':'3q','faults':[" CRASH "]}",
     "t.json: $.duration: \"3q\": not a duration (use ms, s or m)"},
    {"{'name':'t','duration':'-1s','faults':[" CRASH "]}",
     "t.json: $.duration: \"-1s\": negative durations are not allowed"},
    {"{'name':'t','duration':'10','faults':[" CRASH "]}",
     "t.json: $.duration: \"10\": missing unit (use ms, s or m)"},
    {"{'name':'t','duration':10,'faults':[" CRASH "]}",
     "t.json: $.duration: expected a duration string such as \"1.5s\", got a number"},
    {"{'name':'t','duration':'0s','faults':[" CRASH "]}",
     "t.json: $.duration: 0ms: expected 1ms to 60m, the limit on a run"},
    {"{'name':'t','duration':'61m','faults':[" CRASH "]}",
     "t.json: $.duration: 61m: expected 1ms to 60m, the limit on a run"},
    {"{'name':'t','duration':'99999999999999999999s','faults':[" CRASH "]}",
     "t.json: $.duration: \"99999999999999999999s\": too large"},
    {"{'name':'t','duration':'50ms','faults':[" CRASH "]}",
     "t.json: $.duration: 50ms: expected 100ms to 60m (at least one $.slo.bucket)"},
    /* fleet */
    {WITH("'fleet':{'nodes':0}"), "t.json: $.fleet.nodes: expected a whole number from 1 to 64, "
                                  "got 0"},
    {WITH("'fleet':{'nodes':65}"), "t.json: $.fleet.nodes: expected a whole number from 1 to 64, "
                                   "got 65"},
    {WITH("'fleet':{'nodes':2.5}"), "t.json: $.fleet.nodes: expected a whole number"},
    {WITH("'fleet':'big'"), "t.json: $.fleet: expected an object, got a string"},
    {WITH("'fleet':{'node':4}"), "t.json: $.fleet.node: unknown field (fleet takes nodes, "
                                 "old_engine_share, features, poll, bake, knobs)"},
    {WITH("'fleet':{'old_engine_share':1.5}"),
     "t.json: $.fleet.old_engine_share: expected a number from 0 to 1, got 1.5"},
    {WITH("'fleet':{'features':201}"), "t.json: $.fleet.features: expected a whole number from 0 "
                                       "to 200, got 201"},
    {WITH("'fleet':{'poll':'0ms'}"), "t.json: $.fleet.poll: 0ms: expected 1ms to 10m"},
    {WITH("'fleet':{'bake':'1x'}"), "t.json: $.fleet.bake: \"1x\": not a duration"},
    {WITH("'fleet':{'nodes':2,'nodes':3}"), "t.json: $.fleet.nodes: duplicate field"},
    /* postures and load */
    {WITH("'postures':['legacy','chaotic']"),
     "t.json: $.postures[1]: \"chaotic\": unknown posture (legacy, hardened)"},
    {WITH("'postures':['legacy','legacy']"), "t.json: $.postures[1]: legacy is listed twice"},
    {WITH("'postures':[]"), "t.json: $.postures: expected 1 or 2 postures, got 0"},
    {WITH("'postures':'legacy'"), "t.json: $.postures: expected an array of postures"},
    {WITH("'postures':[1]"), "t.json: $.postures[0]: expected legacy or hardened, got a number"},
    {WITH("'load':{'bot_share':'x'}"),
     "t.json: $.load.bot_share: expected a number from 0 to 1, got a string"},
    {WITH("'load':{'proxy_rps':-1}"),
     "t.json: $.load.proxy_rps: expected a number from 0 to 100000, got -1"},
    {WITH("'load':{'rps':1}"), "t.json: $.load.rps: unknown field (load takes proxy_rps, "
                               "login_rps, bot_share, client_retries)"},
    /* slo */
    {WITH("'slo':{'success':2}"), "t.json: $.slo.success: expected a number from 0 to 1, got 2"},
    {WITH("'slo':{'bucket':'0ms'}"), "t.json: $.slo.bucket: 0ms: expected 1ms to 10s"},
    {WITH("'slo':{'bucket':'11s'}"),
     "t.json: $.slo.bucket: 11s: expected 1ms to 10s (the run's $.duration)"},
    {WITH("'slo':{'min_buckets':0}"), "t.json: $.slo.min_buckets: expected a whole number from 1"},
    {WITH("'slo':{'extra':0}"), "t.json: $.slo.extra: unknown field"},
    {WITH("'slo':{'latency':1}"), "t.json: $.slo.latency: expected a duration string"},
    {WITH("'slo':{'grace':'1.5ms'}"),
     "t.json: $.slo.grace: \"1.5ms\": not a whole number of milliseconds"},
    /* faults: common fields */
    {"{'name':'t','duration':'10s'}", "t.json: $.faults: missing (required)"},
    {HEAD "'faults':{}}", "t.json: $.faults: expected an array of faults, got an object"},
    {HEAD "'faults':[]}", "t.json: $.faults: expected 1 to 256 faults, got 0"},
    {FAULT("3"), "t.json: $.faults[0]: expected an object, got a number"},
    {FAULT("{'at':'1s'}"), "t.json: $.faults[0].kind: missing (required)"},
    {FAULT("{'at':'1s','kind':7}"), "t.json: $.faults[0].kind: expected a string, got a number"},
    {FAULT("{'at':'1s','kind':'config.bogus'}"),
     "t.json: $.faults[0].kind: \"config.bogus\": unknown kind (config.oversize, "
     "config.duplicate_rows, config.malformed, config.truncated, config.wrong_type, config.empty, "
     "config.killswitch, config.poisoned_weights)"},
    {FAULT("{'at':'1s','kind':'nope'}"),
     "t.json: $.faults[0].kind: \"nope\": unknown kind (config.*, process.*, link.*, fiu, posix, "
     "dependency.outage, operator.*)"},
    {FAULT("{'at':'1s','for':'2s','kind':'operator.restart'}"),
     "t.json: $.faults[0].kind: \"operator.restart\": unknown kind (operator.rollback)"},
    {FAULT("{'kind':'process.crash','target':'botmod'}"),
     "t.json: $.faults[0].at: missing (required)"},
    {FAULT("{'at':'3q','kind':'process.crash','target':'botmod'}"),
     "t.json: $.faults[0].at: \"3q\": not a duration (use ms, s or m)"},
    {FAULT("{'at':'1s','kind':'link.latency','target':'proxy->origin','ms':1}"),
     "t.json: $.faults[0].for: missing (required)"},
    {FAULT("{'at':'1s','for':'1s','kind':'process.crash','target':'botmod'}"),
     "t.json: $.faults[0].for: process.crash is instant and takes no \"for\""},
    {FAULT("{'at':'1s','for':'0s','kind':'process.hang','target':'botmod'}"),
     "t.json: $.faults[0].for: must be longer than 0: process.hang lasts until it is reverted"},
    {FAULT("{'at':'8s','for':'5s','kind':'process.hang','target':'botmod'}"),
     "t.json: $.faults[0].for: the fault ends at 13s, after the end of the run (10s)"},
    {FAULT("{'at':'10s','kind':'process.crash','target':'botmod'}"),
     "t.json: $.faults[0].at: 10s is not before the end of the run (10s)"},
    {LAT(",'latency':5"), "t.json: $.faults[0].latency: unknown field (link.latency takes at, for, "
                          "kind, target, ms, jitter_ms, probability, direction)"},
    {FAULT(CRASH ",{'at':'x','kind':'process.kill','target':'origin'}"),
     "t.json: $.faults[1].at: \"x\": not a duration"},
    {FAULT("{'at':'1s','at':'2s','kind':'process.crash','target':'botmod'}"),
     "t.json: $.faults[0].at: duplicate field"},
    /* link.* */
    {FAULT("{'at':'1s','for':'2s','kind':'link.latency','target':'proxy->origin'}"),
     "t.json: $.faults[0].ms: missing (required)"},
    {FAULT("{'at':'1s','for':'2s','kind':'link.latency','target':'proxy->origin','ms':'100'}"),
     "t.json: $.faults[0].ms: expected a whole number from 0 to 600000, got a string"},
    {FAULT("{'at':'1s','for':'2s','kind':'link.latency','target':'proxy->origin','ms':600001}"),
     "t.json: $.faults[0].ms: expected a whole number from 0 to 600000, got 600001"},
    {LAT(",'jitter_ms':-5"), "t.json: $.faults[0].jitter_ms: expected a whole number from 0 to "
                             "600000, got -5"},
    {LAT(",'probability':1.5"), "t.json: $.faults[0].probability: expected a number from 0 to 1, "
                                "got 1.5"},
    {LAT(",'probability':-0.1"), "t.json: $.faults[0].probability: expected a number from 0 to 1"},
    {LAT(",'direction':'up'"), "t.json: $.faults[0].direction: \"up\": expected one of request, "
                               "response, both"},
    {FAULT("{'at':'1s','for':'2s','kind':'link.latency','target':'proxy->dashboard','ms':1}"),
     "t.json: $.faults[0].target: \"proxy->dashboard\": unknown interface"},
    {FAULT("{'at':'1s','for':'2s','kind':'link.down','target':'botmod'}"),
     "t.json: $.faults[0].target: \"botmod\": expected an interface (proxy->botmod) or a link"},
    {FAULT("{'at':'1s','for':'2s','kind':'link.down','target':'client->proxy'}"),
     "t.json: $.faults[0].target: \"client->proxy\": the load generator calls it directly"},
    {FAULT("{'at':'1s','for':'2s','kind':'link.reset','target':'proxy[1]->botmod[2]'}"),
     "t.json: $.faults[0].target: \"proxy[1]->botmod[2]\": carries no traffic (proxy[1] calls "
     "botmod[1])"},
    {FAULT("{'at':'1s','for':'2s','kind':'link.down'}"),
     "t.json: $.faults[0].target: missing (required)"},
    {FAULT("{'at':'1s','for':'2s','kind':'link.down','target':5}"),
     "t.json: $.faults[0].target: expected a string, got a number"},
    {FAULT("{'at':'1s','for':'2s','kind':'link.down','target':'proxy->botmod','direction':"
           "'request'}"),
     "t.json: $.faults[0].direction: unknown field (link.down takes at, for, kind, target, "
     "probability)"},
    {FAULT("{'at':'1s','for':'2s','kind':'link.blackhole','target':'proxy->botmod','direction':"
           "'both'}"),
     "t.json: $.faults[0].direction: \"both\": expected one of request, response"},
    {FAULT("{'at':'1s','for':'2s','kind':'link.http_error','target':'proxy->botmod','status':200}"),
     "t.json: $.faults[0].status: expected a whole number from 400 to 599, got 200"},
    {FAULT("{'at':'1s','for':'2s','kind':'link.bandwidth','target':'proxy->botmod'}"),
     "t.json: $.faults[0].bytes_per_s: missing (required)"},
    /* process.* */
    {FAULT("{'at':'1s','kind':'process.crash','target':'botmod[7]'}"),
     "t.json: $.faults[0].target: \"botmod[7]\": the fleet has 4 nodes (botmod[0]..botmod[3])"},
    {"{'name':'t','duration':'10s','fleet':{'nodes':2},'faults':[{'at':'1s','kind':"
     "'process.kill','target':'proxy[2]'}]}",
     "t.json: $.faults[0].target: \"proxy[2]\": the fleet has 2 nodes"},
    {FAULT("{'at':'1s','kind':'process.kill','target':'10.0.0.7'}"),
     "t.json: $.faults[0].target: \"10.0.0.7\": looks like an address; a target names a service "
     "or an interface (botmod, proxy->botmod): the harness starts every service on 127.0.0.1 "
     "itself"},
    {FAULT("{'at':'1s','for':'1s','kind':'link.down','target':'proxy->203.0.113.9:443'}"),
     "t.json: $.faults[0].target: \"proxy->203.0.113.9:443\": looks like an address"},
    {FAULT("{'at':'1s','for':'1s','kind':'link.down','target':'proxy->origin2'}"),
     "t.json: $.faults[0].target: \"proxy->origin2\": unknown service"},
    {FAULT("{'at':'1s','for':'1s','kind':'link.down','target':'proxy->10'}"),
     "t.json: $.faults[0].target: \"proxy->10\": looks like an address"},
    {FAULT("{'at':'1s','kind':'process.kill','target':'localhost'}"),
     "t.json: $.faults[0].target: \"localhost\": looks like an address"},
    {FAULT("{'at':'1s','kind':'process.crash','target':'client'}"),
     "t.json: $.faults[0].target: \"client\": the load generator is not a fleet process"},
    {FAULT("{'at':'1s','kind':'process.crash','target':'proxy->botmod'}"),
     "t.json: $.faults[0].target: \"proxy->botmod\": expected a service (botmod) or an instance"},
    {FAULT("{'at':'1s','kind':'process.crash','target':'botmod','signal':'KILL'}"),
     "t.json: $.faults[0].signal: \"KILL\": expected one of SEGV, ABRT"},
    {FAULT("{'at':'1s','kind':'process.kill','target':'botmod','signal':'SEGV'}"),
     "t.json: $.faults[0].signal: unknown field (process.kill takes at, for, kind, target, share)"},
    {FAULT("{'at':'1s','kind':'process.crash','target':'botmod[1]','share':0.5}"),
     "t.json: $.faults[0].share: a share picks instances of a service"},
    {FAULT("{'at':'1s','kind':'process.crash','target':'botmod','share':0}"),
     "t.json: $.faults[0].share: expected a share above 0, got 0"},
    {FAULT("{'at':'1s','kind':'process.restart','target':'botmod','share':1.5}"),
     "t.json: $.faults[0].share: expected a number from 0 to 1, got 1.5"},
    /* faults that get in each other's way */
    {FAULT("{'at':'2s','for':'4s','kind':'process.hang','target':'botmod[1]'},"
           "{'at':'3s','for':'4s','kind':'process.hang','target':'botmod'}"),
     "t.json: $.faults[1]: overlaps $.faults[0] (process.hang, 2s to 6s): both hang botmod[1], "
     "and the first revert (SIGCONT) would end the other hang too"},
    {FAULT("{'at':'5s','kind':'process.crash','target':'botmod[2]','signal':'ABRT'},"
           "{'at':'2s','for':'4s','kind':'process.hang','target':'botmod','share':0.5}"),
     "t.json: $.faults[1]: overlaps $.faults[0] (process.crash, at 5s): botmod[2] is stopped by "
     "the hang then, and a stopped process acts on SIGABRT only once it is continued: it would "
     "come at the hang's revert, not when the scenario says"},
    {FAULT("{'at':'2s','for':'4s','kind':'process.hang','target':'origin'},"
           "{'at':'2s','kind':'process.restart','target':'origin'}"),
     "t.json: $.faults[1]: overlaps $.faults[0] (process.hang, 2s to 6s): origin is stopped by "
     "the hang then, and a stopped process acts on SIGTERM only once"},
    {FAULT("{'at':'2s','for':'4s','kind':'process.crash_loop','target':'proxy[0]'},"
           "{'at':'3s','for':'1s','kind':'process.hang','target':'proxy'}"),
     "t.json: $.faults[1]: overlaps $.faults[0] (process.crash_loop, 2s to 6s): proxy[0] is "
     "stopped by the hang then, and a stopped process acts on SIGSEGV only once"},
    /* config.* */
    {CFG("oversize", ",'features':240,'bytes':100"),
     "t.json: $.faults[0].bytes: give features or bytes, not both"},
    {CFG("oversize", ""),
     "t.json: $.faults[0].features: missing (config.oversize needs features or bytes)"},
    {CFG("oversize", ",'key':'waf/rules','features':240"),
     "t.json: $.faults[0].features: only bot/features has features; use bytes for waf/rules"},
    {CFG("oversize", ",'features':0"),
     "t.json: $.faults[0].features: expected a whole number from 1 to 1000000, got 0"},
    {CFG("empty", ",'key':'bot/other'"),
     "t.json: $.faults[0].key: \"bot/other\": expected one of bot/features, waf/rules"},
    {CFG("malformed", ",'flap':{'every':'6s'}"),
     "t.json: $.faults[0].flap.every: 6s is not shorter than the fault (for 6s)"},
    {CFG("malformed", ",'flap':{'every':'1s','period':'2s'}"),
     "t.json: $.faults[0].flap.period: unknown field (flap takes every, bad_share)"},
    {CFG("malformed", ",'flap':{'every':'1s','bad_share':2}"),
     "t.json: $.faults[0].flap.bad_share: expected a number from 0 to 1, got 2"},
    {CFG("malformed", ",'flap':{'bad_share':0.5}"),
     "t.json: $.faults[0].flap.every: missing (required)"},
    {CFG("malformed", ",'flap':{'every':'0s'}"),
     "t.json: $.faults[0].flap.every: must be longer than 0"},
    {CFG("wrong_type", ",'flap':'yes'"), "t.json: $.faults[0].flap: expected an object, got a "
                                         "string"},
    {CFG("killswitch", ""), "t.json: $.faults[0].rule: missing (required)"},
    {CFG("killswitch", ",'rule':'a b'"), "t.json: $.faults[0].rule: a rule id is letters"},
    {CFG("killswitch", ",'rule':'r','key':'waf/rules'"),
     "t.json: $.faults[0].key: unknown field (config.killswitch takes at, for, kind, rule, flap)"},
    {CFG("oversize", ",'bytes':16777217"),
     "t.json: $.faults[0].bytes: 16777217 bytes, over the cap of 16777216 bytes on a config the "
     "harness publishes (the most configstore takes)"},
    {CFG("oversize", ",'features':1000000"),
     "t.json: $.faults[0].features: 1000000 rows make a file of 33890059 bytes, over the cap of "
     "16777216 bytes on a config the harness publishes (the most configstore takes)"},
    {CFG("oversize", ",'features':1000001"),
     "t.json: $.faults[0].features: expected a whole number from 1 to 1000000, got 1000001"},
    {CFG("truncated", ",'at_byte':1979"),
     "t.json: $.faults[0].at_byte: 1979 does not cut the good bot/features file short: it is "
     "1979 bytes (see $.fleet.features)"},
    {CFG("truncated", ",'key':'waf/rules','at_byte':200"),
     "t.json: $.faults[0].at_byte: 200 does not cut the good waf/rules file short: it is 139 "
     "bytes"},
    {CFG("truncated", ",'at_byte':0"),
     "t.json: $.faults[0].at_byte: expected a whole number from 1 to 16777216, got 0"},
    {CFG("duplicate_rows", ",'copies':1"),
     "t.json: $.faults[0].copies: expected a whole number from 2 to 100, got 1"},
    {FAULT("{'at':'1s','kind':'config.empty'}"), "t.json: $.faults[0].for: missing (required)"},
    {CFG("poisoned_weights", ",'key':'bot/features'"),
     "t.json: $.faults[0].key: unknown field (config.poisoned_weights takes at, for, kind, flap)"},
    {CFG("poisoned_weights", ",'flap':{'every':'7s'}"),
     "t.json: $.faults[0].flap.every: 7s is not shorter than the fault (for 6s)"},
    {FAULT("{'at':'1s','kind':'config.poisoned_weights'}"),
     "t.json: $.faults[0].for: missing (required)"},
    /* fiu, posix, dependency.outage */
    {FAULT("{'at':'1s','for':'1s','kind':'fiu','target':'configstore','point':'configstore/gte'}"),
     "t.json: $.faults[0].point: \"configstore/gte\": not a failure point of configstore "
     "(configstore/get, configstore/put, or a prefix ending in /*)"},
    {FAULT("{'at':'1s','for':'1s','kind':'fiu','target':'configstore','point':'botmod/score'}"),
     "t.json: $.faults[0].point: \"botmod/score\": not a failure point of configstore"},
    {FAULT("{'at':'1s','for':'1s','kind':'fiu','target':'botmod','point':'x y'}"),
     "t.json: $.faults[0].point: a failure point name is"},
    {FAULT("{'at':'1s','for':'1s','kind':'fiu','target':'botmod','point':'botmod/score',"
           "'failnum':0}"),
     "t.json: $.faults[0].failnum: expected a whole number from 1 to 2147483647, got 0"},
    {FAULT("{'at':'1s','for':'1s','kind':'fiu','target':'botmod'}"),
     "t.json: $.faults[0].point: missing (required)"},
    {FAULT("{'at':'1s','for':'1s','kind':'fiu','target':'botmod','point':['botmod/score']}"),
     "t.json: $.faults[0].point: expected a failure point name, got an array"},
    {FAULT("{'at':'1s','for':'1s','kind':'posix','target':'botmod','points':["
           "'posix/io/net/connect','posix/io/net/conect']}"),
     "t.json: $.faults[0].points[1]: \"posix/io/net/conect\": not a point of libfiu's POSIX "
     "preload"},
    {FAULT("{'at':'1s','for':'1s','kind':'posix','target':'botmod','points':[]}"),
     "t.json: $.faults[0].points: expected 1 to 16 points, got 0"},
    {FAULT("{'at':'1s','for':'1s','kind':'posix','target':'botmod','points':'libc/mm/*',"
           "'failnum':2}"),
     "t.json: $.faults[0].failnum: unknown field (posix takes at, for, kind, target, points, "
     "probability)"},
    {FAULT("{'at':'1s','for':'1s','kind':'dependency.outage','target':'dashboard'}"),
     "t.json: $.faults[0].target: \"dashboard\": expected one of configstore, origin, botmod"},
    {FAULT("{'at':'1s','for':'1s','kind':'dependency.outage','target':'origin','mode':'slow'}"),
     "t.json: $.faults[0].mode: \"slow\": expected one of refused, blackhole, empty"},
    /* operator.rollback */
    {FAULT("{'at':'1s','kind':'operator.rollback'}"),
     "t.json: $.faults[0].for: missing (required)"},
    {OP(",'key':'bot/other'"),
     "t.json: $.faults[0].key: \"bot/other\": expected one of bot/features, waf/rules"},
    {OP(",'user':''"), "t.json: $.faults[0].user: must not be empty"},
    {OP(",'user':'a\\nb'"), "t.json: $.faults[0].user: \"a\\nb\": holds a control character"},
    {OP(",'user':'"
        "0123456789012345678901234567890123456789012345678901234567890123x'"),
     "t.json: $.faults[0].user: longer than 64 bytes"},
    {OP(",'user':7"), "t.json: $.faults[0].user: expected a string, got a number"},
    {OP(",'retry_every':'0s'"), "t.json: $.faults[0].retry_every: must be longer than 0"},
    {OP(",'retry_every':'5s'"),
     "t.json: $.faults[0].retry_every: 5s is not shorter than the action (for 5s): it would never "
     "retry"},
    {OP(",'retry_every':1"), "t.json: $.faults[0].retry_every: expected a duration string"},
    {OP(",'target':'dashboard'"), "t.json: $.faults[0].target: unknown field (operator.rollback "
                                  "takes at, for, kind, key, user, retry_every)"},
    /* expect */
    {WITH("'expect':'x'"), "t.json: $.expect: expected an object of posture -> expectations, got "
                           "a string"},
    {WITH("'expect':{'chaotic':{}}"),
     "t.json: $.expect.chaotic: \"chaotic\": unknown posture (legacy, hardened)"},
    {WITH("'postures':['legacy'],'expect':{'hardened':{}}"),
     "t.json: $.expect.hardened: the scenario does not run hardened"},
    {WITH("'expect':{'legacy':{},'legacy':{}}"), "t.json: $.expect.legacy: duplicate field"},
    {EXPECT("'interfaces':{'proxy->dashboard':'cascaded'}"),
     "t.json: $.expect.legacy.interfaces[\"proxy->dashboard\"]: unknown interface"},
    {EXPECT("'interfaces':{'proxy->botmod':'broken'}"),
     "t.json: $.expect.legacy.interfaces[\"proxy->botmod\"]: \"broken\": unknown verdict "
     "(unaffected, failed_small, cascaded)"},
    {EXPECT("'interfaces':{'proxy->botmod':1}"),
     "t.json: $.expect.legacy.interfaces[\"proxy->botmod\"]: expected unaffected, failed_small or "
     "cascaded, got a number"},
    {EXPECT("'interfaces':{'client->proxy':'failed_small'}"),
     "t.json: $.expect.legacy.interfaces[\"client->proxy\"]: an entry interface is unaffected or "
     "cascaded"},
    {EXPECT("'interfaces':{'proxy->botmod':'cascaded','proxy->botmod':'cascaded'}"),
     "t.json: $.expect.legacy.interfaces[\"proxy->botmod\"]: duplicate field"},
    {EXPECT("'interfaces':[]"), "t.json: $.expect.legacy.interfaces: expected an object of "
                                "interface -> verdict, got an array"},
    {EXPECT("'blast':{}"), "t.json: $.expect.legacy.blast: unknown field (legacy takes "
                           "interfaces, blast_radius, degraded_share, time_to_detect, "
                           "time_to_recover, recovered, amplification, aborted)"},
    {EXPECT("'blast_radius':{'min':0.6,'max':0.5}"),
     "t.json: $.expect.legacy.blast_radius.min: 0.6 is above max 0.5"},
    {EXPECT("'blast_radius':{}"), "t.json: $.expect.legacy.blast_radius: give min, max or both"},
    {EXPECT("'amplification':{'proxy->configstore':{'max':2}}"),
     "t.json: $.expect.legacy.amplification[\"proxy->configstore\"]: not an interface users "
     "drive"},
    {EXPECT("'amplification':{'proxy->origin':{'max':2000}}"),
     "t.json: $.expect.legacy.amplification[\"proxy->origin\"].max: expected a number from 0 to "
     "1000, got 2000"},
    {EXPECT("'amplification':{'proxy->origin':{'max':2},'proxy->origin':{'min':1}}"),
     "t.json: $.expect.legacy.amplification[\"proxy->origin\"]: duplicate field"},
    {EXPECT("'amplification':[1]"),
     "t.json: $.expect.legacy.amplification: expected an object of interface -> {min, max}, got "
     "an array"},
    {EXPECT("'recovered':'yes'"),
     "t.json: $.expect.legacy.recovered: expected true or false, got a string"},
    /* fleet.knobs and load.client_retries */
    {WITH("'fleet':{'knobs':{'proxy.retires':'budget'}}"),
     "t.json: $.fleet.knobs[\"proxy.retires\"]: unknown knob \"proxy.retires\""},
    {WITH("'fleet':{'knobs':{'proxy.retries':'sometimes'}}"),
     "t.json: $.fleet.knobs[\"proxy.retries\"]: \"sometimes\": expected one of immediate, budget"},
    {WITH("'fleet':{'knobs':{'proxy.retries':{'legacy':'budget','hardend':'budget'}}}"),
     "t.json: $.fleet.knobs[\"proxy.retries\"].hardend: unknown field"},
    {WITH("'fleet':{'knobs':{'proxy.retries':{}}}"),
     "t.json: $.fleet.knobs[\"proxy.retries\"]: expected a value, or one per posture"},
    {WITH("'fleet':{'knobs':{'proxy.max_retries':101}}"),
     "t.json: $.fleet.knobs[\"proxy.max_retries\"]: expected a whole number from 0 to 100, got "
     "101"},
    {WITH("'fleet':{'knobs':{'proxy.attempt_timeout':200}}"),
     "t.json: $.fleet.knobs[\"proxy.attempt_timeout\"]: expected a duration string"},
    {WITH("'fleet':{'knobs':{'origin.latency':'11m'}}"),
     "t.json: $.fleet.knobs[\"origin.latency\"]: 11m: expected at most 10m"},
    {WITH("'fleet':{'knobs':{'proxy.nil_guard':'on'}}"),
     "t.json: $.fleet.knobs[\"proxy.nil_guard\"]: expected true or false, got a string"},
    {WITH("'fleet':{'knobs':{'proxy.retry_budget':{'hardened':1.5}}}"),
     "t.json: $.fleet.knobs[\"proxy.retry_budget\"].hardened: expected a number from 0 to 1, got "
     "1.5"},
    {WITH("'fleet':{'knobs':{'origin.capacity':1,'origin.capacity':2}}"),
     "t.json: $.fleet.knobs[\"origin.capacity\"]: duplicate field"},
    {WITH("'fleet':{'knobs':[]}"), "t.json: $.fleet.knobs: expected an object, got an array"},
    {WITH("'load':{'client_retries':11}"),
     "t.json: $.load.client_retries: expected a whole number from 0 to 10, got 11"},
    {EXPECT("'blast_radius':{'max':2}"),
     "t.json: $.expect.legacy.blast_radius.max: expected a number from 0 to 1, got 2"},
    {EXPECT("'degraded_share':{'min':'x'}"),
     "t.json: $.expect.legacy.degraded_share.min: expected a number from 0 to 1, got a string"},
    {EXPECT("'time_to_detect':{'max':'3q'}"),
     "t.json: $.expect.legacy.time_to_detect.max: \"3q\": not a duration (use ms, s or m)"},
    {EXPECT("'time_to_recover':{'min':'1s','max':'2s'}"),
     "t.json: $.expect.legacy.time_to_recover.min: unknown field (time_to_recover takes max)"},
    {EXPECT("'time_to_detect':{}"), "t.json: $.expect.legacy.time_to_detect.max: missing "
                                    "(required)"},
};

static void test_bad_input(void **state)
{
    (void)state;
    assert_true(sizeof(bad_cases) / sizeof(bad_cases[0]) >= 30);
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        char *json = dq(bad_cases[i].json), err[1024] = "";
        fs_scenario_t *s = (fs_scenario_t *)&err;
        int rc = parse(json, NULL, &s, err, sizeof(err));

        free(json);
        if (rc != -EINVAL || s != NULL)
            fail_msg("case %zu: rc %d, want -EINVAL (%s)", i, rc, err);
        if (strncmp(err, bad_cases[i].want, strlen(bad_cases[i].want)) != 0)
            fail_msg("case %zu:\n got: %s\nwant: %s...", i, err, bad_cases[i].want);
    }
}

static void test_sketch_loads(void **state)
{
    const fs_scenario_fault_t *f;
    const fs_scenario_expect_t *e;
    fs_scenario_t *s = NULL;
    char err[1024] = "", buf[256];
    uint64_t start, end;
    uint8_t faulted[FS_IF_COUNT] = {0};

    (void)state;
    if (parse(sketch, NULL, &s, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_string_equal(fs_scenario_file(s), "t.json");
    assert_string_equal(fs_scenario_name(s), "cf-2025-11-18-bot-feature-file");
    assert_string_equal(fs_scenario_title(s), "Bot feature file grows past the module's limit");
    assert_string_equal(fs_scenario_description(s), "…");
    assert_int_equal(fs_scenario_reference_count(s), 1);
    assert_string_equal(fs_scenario_reference(s, 0), "…");
    assert_null(fs_scenario_reference(s, 1));
    assert_int_equal(fs_scenario_seed(s), 42);
    assert_int_equal(fs_scenario_duration_ms(s), 12000);
    assert_int_equal(fs_scenario_fleet(s)->nodes, 4);
    assert_true(fs_scenario_fleet(s)->old_engine_share == 0.25);
    assert_int_equal(fs_scenario_posture_count(s), 2);
    assert_int_equal(fs_scenario_posture(s, 0), FS_POSTURE_LEGACY);
    assert_int_equal(fs_scenario_posture(s, 1), FS_POSTURE_HARDENED);
    assert_true(fs_scenario_load_cfg(s)->proxy_rps == 400);
    assert_int_equal(fs_scenario_slo(s)->bucket_ms, 100);
    assert_int_equal(fs_scenario_fault_count(s), 4);

    f = fs_scenario_fault(s, 0);
    assert_string_equal(f->ops->kind, "config.oversize");
    assert_int_equal(f->at_ms, 3000);
    assert_int_equal(f->for_ms, 6000);
    assert_string_equal(f->path, "$.faults[0]");
    {
        const fs_inj_config_t *c = f->state;

        assert_int_equal(c->kind, FS_INJ_CONFIG_OVERSIZE);
        assert_string_equal(c->key, "bot/features");
        assert_int_equal(c->features, 240);
        assert_int_equal(c->flap, 1);
        assert_int_equal(c->flap_every_ms, 2000);
        assert_true(c->flap_bad_share == 0.5);
    }
    assert_string_equal(f->ops->describe(f->state, buf, sizeof(buf)),
                        "publish bot/features oversize, 240 features, flapping every 2s (0.5 bad)");
    f = fs_scenario_fault(s, 1);
    assert_int_equal(f->for_ms, 0);
    assert_int_equal(f->index, 1);
    {
        const fs_inj_process_t *p = f->state;

        assert_int_equal(p->kind, FS_INJ_PROCESS_CRASH);
        assert_int_equal(p->target.kind, FS_TARGET_INSTANCE);
        assert_int_equal(p->target.index, 0);
        assert_int_equal(p->signal, SIGSEGV);
    }
    f = fs_scenario_fault(s, 2);
    assert_string_equal(f->ops->describe(f->state, buf, sizeof(buf)),
                        "latency 1500±200 ms (request) on proxy->origin");
    f = fs_scenario_fault(s, 3);
    assert_string_equal(f->ops->describe(f->state, buf, sizeof(buf)),
                        "fiu configstore/get in configstore with probability 0.5");
    assert_null(fs_scenario_fault(s, 4));

    fs_scenario_fault_window(s, &start, &end);
    assert_int_equal(start, 3000);
    assert_int_equal(end, 9000);
    for (size_t i = 0; i < fs_scenario_fault_count(s); i++)
        fs_scenario_fault_ifaces(s, i, faulted);
    assert_true(faulted[FS_IF_BOTMOD_CONFIGSTORE]); /* config bot/features */
    assert_true(faulted[FS_IF_PROXY_BOTMOD]);       /* crash of botmod */
    assert_true(faulted[FS_IF_DASHBOARD_BOTMOD]);   /* crash of botmod */
    assert_true(faulted[FS_IF_PROXY_ORIGIN]);       /* link */
    assert_true(faulted[FS_IF_PROXY_CONFIGSTORE]);  /* fiu in configstore */
    assert_true(faulted[FS_IF_DASHBOARD_CONFIGSTORE]);
    assert_false(faulted[FS_IF_CLIENT_PROXY]);
    assert_false(faulted[FS_IF_USER_DASHBOARD]);

    e = fs_scenario_expect(s, FS_POSTURE_LEGACY);
    assert_true(e->present);
    assert_true(e->has_verdict[FS_IF_BOTMOD_CONFIGSTORE]);
    assert_int_equal(e->verdict[FS_IF_BOTMOD_CONFIGSTORE], FS_VERDICT_CASCADED);
    assert_false(e->has_verdict[FS_IF_CLIENT_PROXY]);
    assert_true(e->blast_radius.has_min);
    assert_false(e->blast_radius.has_max);
    assert_true(e->blast_radius.min == 0.5);
    e = fs_scenario_expect(s, FS_POSTURE_HARDENED);
    assert_int_equal(e->verdict[FS_IF_BOTMOD_CONFIGSTORE], FS_VERDICT_FAILED_SMALL);
    assert_int_equal(e->verdict[FS_IF_PROXY_BOTMOD], FS_VERDICT_UNAFFECTED);
    assert_true(e->blast_radius.has_max);
    assert_true(e->blast_radius.max == 0.01);
    assert_false(e->has_detect_max);
    fs_scenario_free(s);
}

static void test_defaults(void **state)
{
    fs_scenario_t *s = good("{'name':'min','duration':'5s','faults':[" CRASH "]}", NULL);
    const fs_scenario_fleet_t *fl = fs_scenario_fleet(s);
    const fs_slo_t *slo = fs_scenario_slo(s);
    const fs_scenario_load_t *l = fs_scenario_load_cfg(s);

    (void)state;
    assert_string_equal(fs_scenario_title(s), "min");
    assert_string_equal(fs_scenario_description(s), "");
    assert_int_equal(fs_scenario_reference_count(s), 0);
    assert_int_equal(fs_scenario_seed(s), FS_SCENARIO_DEFAULT_SEED);
    assert_true(fs_scenario_time_scale(s) == 1);
    assert_int_equal(fl->nodes, 4);
    assert_true(fl->old_engine_share == 0);
    assert_int_equal(fl->features, 60);
    assert_int_equal(fl->poll_ms, 200);
    assert_int_equal(fl->bake_ms, 1000);
    assert_int_equal(fs_scenario_posture_count(s), 2);
    assert_true(fs_scenario_runs_posture(s, FS_POSTURE_LEGACY));
    assert_true(fs_scenario_runs_posture(s, FS_POSTURE_HARDENED));
    assert_true(l->proxy_rps == 400);
    assert_true(l->login_rps == 10);
    assert_true(l->bot_share == 0.2);
    assert_true(slo->success == 0.99);
    assert_int_equal(slo->latency_ms, 1000);
    assert_int_equal(slo->bucket_ms, 100);
    assert_int_equal(slo->min_buckets, 3);
    assert_int_equal(slo->grace_ms, 1000);
    assert_false(fs_scenario_expect(s, FS_POSTURE_LEGACY)->present);
    assert_false(fs_scenario_expect(s, FS_POSTURE_HARDENED)->present);
    fs_scenario_free(s);
}

static const char scaled[] =
    "{'name':'scaled','duration':'12s','fleet':{'poll':'100ms','bake':'2s'},"
    "'slo':{'latency':'1s','bucket':'100ms','grace':'2s'},"
    "'faults':[{'at':'3s','for':'6s','kind':'config.duplicate_rows','flap':{'every':'2s'}},"
    "{'at':'1s','for':'1s','kind':'link.latency','target':'proxy[1]->botmod[1]','ms':300,"
    "'jitter_ms':50}],"
    "'expect':{'legacy':{'time_to_detect':{'max':'1s'},'time_to_recover':{'max':'3s'}}}}";

static void test_time_scale(void **state)
{
    fs_scenario_opts_t half = {.time_scale = 0.5};
    fs_scenario_t *s = good(scaled, &half);
    const fs_inj_config_t *c = fs_scenario_fault(s, 0)->state;
    const fs_inj_link_t *l = fs_scenario_fault(s, 1)->state;
    const fs_scenario_expect_t *e = fs_scenario_expect(s, FS_POSTURE_LEGACY);
    uint64_t start, end;

    (void)state;
    assert_true(fs_scenario_time_scale(s) == 0.5);
    assert_int_equal(fs_scenario_duration_ms(s), 6000);
    assert_int_equal(fs_scenario_fleet(s)->poll_ms, 50);
    assert_int_equal(fs_scenario_fleet(s)->bake_ms, 1000);
    assert_int_equal(fs_scenario_slo(s)->latency_ms, 500);
    assert_int_equal(fs_scenario_slo(s)->bucket_ms, 50);
    assert_int_equal(fs_scenario_slo(s)->grace_ms, 1000);
    assert_int_equal(fs_scenario_fault(s, 0)->at_ms, 1500);
    assert_int_equal(fs_scenario_fault(s, 0)->for_ms, 3000);
    assert_int_equal(c->flap_every_ms, 1000);
    assert_int_equal(c->copies, 2);
    assert_int_equal(l->ms, 150);
    assert_int_equal(l->jitter_ms, 25);
    assert_int_equal(l->target.kind, FS_TARGET_LINK);
    assert_int_equal(e->detect_max_ms, 500);
    assert_int_equal(e->recover_max_ms, 1500);
    fs_scenario_fault_window(s, &start, &end);
    assert_int_equal(start, 500);
    assert_int_equal(end, 4500);
    fs_scenario_free(s);

    /* Defaults scale too. */
    half.time_scale = 2;
    s = good("{'name':'min','duration':'5s','faults':[" CRASH "]}", &half);
    assert_int_equal(fs_scenario_duration_ms(s), 10000);
    assert_int_equal(fs_scenario_slo(s)->bucket_ms, 200);
    assert_int_equal(fs_scenario_slo(s)->latency_ms, 2000);
    assert_int_equal(fs_scenario_fleet(s)->poll_ms, 400);
    assert_int_equal(fs_scenario_fault(s, 0)->at_ms, 2000);
    fs_scenario_free(s);
}

static void test_time_scale_limits(void **state)
{
    fs_scenario_opts_t o = {.time_scale = -1};
    fs_scenario_t *s = (fs_scenario_t *)&o;
    char *json = dq(scaled), err[512];

    (void)state;
    assert_int_equal(parse(json, &o, &s, err, sizeof(err)), -EINVAL);
    assert_null(s);
    assert_string_equal(err, "t.json: time scale -1: expected a number above 0, at most 1000");
    o.time_scale = 1001;
    assert_int_equal(parse(json, &o, &s, err, sizeof(err)), -EINVAL);
    o.time_scale = 0; /* means 1 */
    assert_int_equal(parse(json, &o, &s, err, sizeof(err)), 0);
    assert_int_equal(fs_scenario_duration_ms(s), 12000);
    fs_scenario_free(s);
    /* 12 s stretched 400 times is over the hour a run may take. */
    o.time_scale = 400;
    assert_int_equal(parse(json, &o, &s, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "t.json: $.duration: 80m after --time-scale 400: expected 1ms to 60m, "
                             "the limit on a run");
    free(json);
}

/* --max-config-bytes lowers the cap on published configs; the file
 * config.oversize makes is checked against it whichever way it is asked
 * for, and at the cap itself it still loads. */
/* What overlaps without getting in the way loads. */
static void test_conflicts_allowed(void **state)
{
    static const char *const ok[] = {
        /* SIGKILL needs no SIGCONT */
        FAULT("{'at':'2s','for':'4s','kind':'process.hang','target':'botmod'},"
              "{'at':'3s','kind':'process.kill','target':'botmod[0]'}"),
        /* other instances, other services */
        FAULT("{'at':'2s','for':'4s','kind':'process.hang','target':'botmod[0]'},"
              "{'at':'3s','for':'1s','kind':'process.hang','target':'botmod[1]'},"
              "{'at':'3s','kind':'process.crash','target':'proxy'}"),
        /* one after the other: the revert at 6s comes first */
        FAULT("{'at':'2s','for':'4s','kind':'process.hang','target':'botmod'},"
              "{'at':'6s','for':'1s','kind':'process.hang','target':'botmod'},"
              "{'at':'7s','kind':'process.crash','target':'botmod'}"),
        /* crashes and crash loops together are the supervisor's business */
        FAULT("{'at':'2s','for':'4s','kind':'process.crash_loop','target':'botmod'},"
              "{'at':'3s','kind':'process.crash','target':'botmod'}"),
    };

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        fs_scenario_free(good(ok[i], NULL));
}

static void test_config_cap(void **state)
{
    fs_scenario_opts_t o = {.max_config_bytes = FS_INJ_CONFIG_CAP_MIN};
    fs_scenario_t *s = NULL;
    char *json, err[512];

    (void)state;
    s = good(CFG("oversize", ",'bytes':1048576"), &o);
    fs_scenario_free(s);
    s = good(CFG("oversize", ",'features':32000"), &o); /* 1046059 bytes */
    fs_scenario_free(s);
    json = dq(CFG("oversize", ",'bytes':1048577"));
    assert_int_equal(parse(json, &o, &s, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "t.json: $.faults[0].bytes: 1048577 bytes, over the cap of 1048576 "
                             "bytes on a config the harness publishes (set by --max-config-bytes)");
    free(json);
    json = dq(CFG("oversize", ",'features':32100"));
    assert_int_equal(parse(json, &o, &s, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "$.faults[0].features: 32100 rows make a file of 1049359 bytes"));
    o.max_config_bytes = FS_INJ_CONFIG_CAP_MIN - 1;
    assert_int_equal(parse(json, &o, &s, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "t.json: max config bytes 1048575: expected 1048576 to 16777216");
    o.max_config_bytes = FS_INJ_CONFIG_CAP_MAX + 1;
    assert_int_equal(parse(json, &o, &s, err, sizeof(err)), -EINVAL);
    free(json);
    /* Every other kind stays below the smallest cap: the largest is
     * config.duplicate_rows of the largest baseline, 100 times. */
    assert_true(fs_configgen_features_size(200, 100) < FS_INJ_CONFIG_CAP_MIN);
}

static void test_seed_override(void **state)
{
    fs_scenario_opts_t o = {.has_seed = 1, .seed = 7};
    fs_scenario_t *s;

    (void)state;
    s = good(WITH("'seed':42"), NULL);
    assert_int_equal(fs_scenario_seed(s), 42);
    fs_scenario_free(s);
    s = good(WITH("'seed':42"), &o);
    assert_int_equal(fs_scenario_seed(s), 7);
    fs_scenario_free(s);
    o.seed = 0;
    s = good(HEAD "'faults':[" CRASH "]}", &o);
    assert_int_equal(fs_scenario_seed(s), 0);
    fs_scenario_free(s);
    s = good(WITH("'seed':999999999999999"), NULL);
    assert_int_equal(fs_scenario_seed(s), FS_SCENARIO_MAX_SEED);
    fs_scenario_free(s);
}

static void test_postures_and_expect(void **state)
{
    fs_scenario_t *s =
        good(WITH("'postures':['hardened'],'expect':{'hardened':{'interfaces':{'client->proxy':"
                  "'unaffected','user->dashboard':'cascaded'},'degraded_share':{'min':0,'max':1},"
                  "'time_to_detect':{'max':'500ms'}}}"),
             NULL);
    const fs_scenario_expect_t *e = fs_scenario_expect(s, FS_POSTURE_HARDENED);

    (void)state;
    assert_int_equal(fs_scenario_posture_count(s), 1);
    assert_int_equal(fs_scenario_posture(s, 0), FS_POSTURE_HARDENED);
    assert_false(fs_scenario_runs_posture(s, FS_POSTURE_LEGACY));
    assert_false(fs_scenario_expect(s, FS_POSTURE_LEGACY)->present);
    assert_true(e->present);
    assert_int_equal(e->verdict[FS_IF_CLIENT_PROXY], FS_VERDICT_UNAFFECTED);
    assert_int_equal(e->verdict[FS_IF_USER_DASHBOARD], FS_VERDICT_CASCADED);
    assert_true(e->degraded_share.has_min && e->degraded_share.has_max);
    assert_true(e->has_detect_max);
    assert_int_equal(e->detect_max_ms, 500);
    assert_false(e->has_recover_max);
    fs_scenario_free(s);
    assert_string_equal(fs_posture_name(FS_POSTURE_LEGACY), "legacy");
    assert_string_equal(fs_posture_name(FS_POSTURE_COUNT), "unknown");
}

/* Knobs become flags per posture, durations scaled; both postures get a
 * plain value, the per-posture form only the ones it names. */
static void test_knobs(void **state)
{
    fs_scenario_opts_t o = {.time_scale = 2};
    fs_scenario_t *s = good(WITH("'fleet':{'knobs':{'proxy.attempt_timeout':'150ms',"
                                 "'configstore.rollout':{'hardened':'instant'},"
                                 "'dashboard.break_glass':{'legacy':true,'hardened':false},"
                                 "'proxy.retry_budget':0.25}},"
                                 "'expect':{'legacy':{'recovered':false,'amplification':{"
                                 "'proxy->origin':{'min':4}}}}"),
                            &o);
    const fs_knobs_t *k = fs_scenario_knobs(s);
    const fs_scenario_expect_t *e = fs_scenario_expect(s, FS_POSTURE_LEGACY);

    (void)state;
    assert_int_equal(fs_knobs_count(k, FS_POSTURE_LEGACY), 3);
    assert_int_equal(fs_knobs_count(k, FS_POSTURE_HARDENED), 4);
    assert_string_equal(fs_knobs_name(k, FS_POSTURE_LEGACY, 0), "proxy.attempt_timeout");
    assert_string_equal(fs_knobs_flag(k, FS_POSTURE_LEGACY, 0), "--attempt-timeout-ms");
    assert_string_equal(fs_knobs_value(k, FS_POSTURE_LEGACY, 0), "300");
    assert_int_equal(fs_knobs_service(k, FS_POSTURE_LEGACY, 0), FS_SVC_PROXY);
    assert_string_equal(fs_knobs_flag(k, FS_POSTURE_HARDENED, 1), "--rollout");
    assert_string_equal(fs_knobs_value(k, FS_POSTURE_HARDENED, 1), "instant");
    assert_int_equal(fs_knobs_service(k, FS_POSTURE_HARDENED, 1), FS_SVC_CONFIGSTORE);
    assert_string_equal(fs_knobs_value(k, FS_POSTURE_LEGACY, 1), "on");
    assert_string_equal(fs_knobs_value(k, FS_POSTURE_HARDENED, 2), "off");
    assert_string_equal(fs_knobs_value(k, FS_POSTURE_HARDENED, 3), "0.25");
    assert_true(e->has_recovered);
    assert_false(e->recovered);
    assert_true(e->amplification[FS_IF_PROXY_ORIGIN].has_min);
    assert_false(e->amplification[FS_IF_PROXY_ORIGIN].has_max);
    assert_true(e->amplification[FS_IF_PROXY_ORIGIN].min == 4);
    fs_scenario_free(s);

    s = good(WITH("'load':{'client_retries':2}"), NULL);
    assert_int_equal(fs_scenario_load_cfg(s)->client_retries, 2);
    assert_int_equal(fs_knobs_count(fs_scenario_knobs(s), FS_POSTURE_LEGACY), 0);
    fs_scenario_free(s);
}

/* One fault of kind with its own fields x, parsed alone. */
static fs_scenario_t *one(const char *fault)
{
    char text[1024];

    snprintf(text, sizeof(text), "{'name':'one','duration':'20s','faults':[%s]}", fault);
    return good(text, NULL);
}

static void check_faults(const char *fault, const char *describe, const fs_iface_t *want, int n)
{
    fs_scenario_t *s = one(fault);
    const fs_scenario_fault_t *f = fs_scenario_fault(s, 0);
    uint8_t faulted[FS_IF_COUNT] = {0};
    char buf[256];
    int count = 0;

    fs_scenario_fault_ifaces(s, 0, faulted);
    for (int i = 0; i < n; i++) {
        if (!faulted[want[i]])
            fail_msg("%s: %s not faulted", fault, fs_iface_name(want[i]));
    }
    for (int i = 0; i < FS_IF_COUNT; i++)
        count += faulted[i] != 0;
    assert_int_equal(count, n);
    assert_string_equal(f->ops->describe(f->state, buf, sizeof(buf)), describe);
    /* The parse side only: apply and revert come with the run. */
    fs_scenario_free(s);
}

static void test_every_family(void **state)
{
    static const fs_iface_t features[] = {FS_IF_BOTMOD_CONFIGSTORE};
    static const fs_iface_t waf[] = {FS_IF_PROXY_CONFIGSTORE};
    static const fs_iface_t botmod[] = {FS_IF_PROXY_BOTMOD, FS_IF_DASHBOARD_BOTMOD};
    static const fs_iface_t proxy[] = {FS_IF_CLIENT_PROXY};
    static const fs_iface_t store[] = {FS_IF_PROXY_CONFIGSTORE, FS_IF_BOTMOD_CONFIGSTORE,
                                       FS_IF_DASHBOARD_CONFIGSTORE};
    static const fs_iface_t origin[] = {FS_IF_PROXY_ORIGIN};
    static const fs_iface_t pb[] = {FS_IF_PROXY_BOTMOD};
    static const fs_iface_t dash[] = {FS_IF_USER_DASHBOARD};

    (void)state;
    check_faults("{'at':'1s','for':'5s','kind':'config.oversize','bytes':2000000}",
                 "publish bot/features oversize, 2000000 bytes", features, 1);
    check_faults("{'at':'1s','for':'5s','kind':'config.duplicate_rows','copies':3}",
                 "publish bot/features with every row 3 times", features, 1);
    check_faults("{'at':'1s','for':'5s','kind':'config.malformed','key':'waf/rules'}",
                 "publish waf/rules malformed", waf, 1);
    check_faults("{'at':'1s','for':'5s','kind':'config.truncated'}",
                 "publish bot/features truncated to half its size", features, 1);
    check_faults("{'at':'1s','for':'5s','kind':'config.truncated','at_byte':10}",
                 "publish bot/features truncated at byte 10", features, 1);
    check_faults("{'at':'1s','for':'5s','kind':'config.wrong_type'}",
                 "publish bot/features with a field of the wrong type", features, 1);
    check_faults("{'at':'1s','for':'5s','kind':'config.empty'}", "publish bot/features empty",
                 features, 1);
    check_faults("{'at':'1s','for':'5s','kind':'config.killswitch','rule':'block-admin'}",
                 "publish waf/rules with rule block-admin killswitched", waf, 1);
    check_faults("{'at':'1s','for':'5s','kind':'config.poisoned_weights'}",
                 "publish bot/features with full bot weight on method:GET and method:POST",
                 features, 1);
    /* A repair faults nothing. */
    check_faults("{'at':'1s','for':'5s','kind':'operator.rollback','retry_every':'500ms'}",
                 "operator oncall rolls back bot/features through the dashboard, every 500ms "
                 "until it works",
                 NULL, 0);
    check_faults("{'at':'1s','for':'5s','kind':'operator.rollback','key':'waf/rules','user':"
                 "'ops'}",
                 "operator ops rolls back waf/rules through the dashboard, once", NULL, 0);
    check_faults("{'at':'1s','kind':'process.crash','target':'botmod','share':0.25,'signal':"
                 "'ABRT'}",
                 "crash botmod (a share of 0.25) with SIGABRT", botmod, 2);
    check_faults("{'at':'1s','kind':'process.kill','target':'proxy[2]'}", "kill proxy[2]", proxy,
                 1);
    check_faults("{'at':'1s','for':'2s','kind':'process.hang','target':'configstore'}",
                 "hang configstore", store, 3);
    check_faults("{'at':'1s','for':'2s','kind':'process.crash_loop','target':'botmod[1]'}",
                 "crash-loop botmod[1] with SIGSEGV", botmod, 2);
    check_faults("{'at':'1s','kind':'process.restart','target':'dashboard'}", "restart dashboard",
                 dash, 1);
    check_faults("{'at':'1s','for':'2s','kind':'link.down','target':'proxy->origin'}",
                 "refuse connections on proxy->origin", origin, 1);
    check_faults("{'at':'1s','for':'2s','kind':'link.blackhole','target':'proxy[0]->botmod[0]',"
                 "'direction':'response'}",
                 "blackhole responses on proxy[0]->botmod[0]", pb, 1);
    check_faults("{'at':'1s','for':'2s','kind':'link.latency','target':'proxy->botmod','ms':300}",
                 "latency 300 ms (request) on proxy->botmod", pb, 1);
    check_faults("{'at':'1s','for':'2s','kind':'link.reset','target':'proxy->botmod',"
                 "'probability':0.1}",
                 "reset mid-response on proxy->botmod with probability 0.1", pb, 1);
    check_faults("{'at':'1s','for':'2s','kind':'link.http_error','target':'proxy->botmod',"
                 "'probability':0.5}",
                 "answer HTTP 503 on proxy->botmod with probability 0.5", pb, 1);
    check_faults("{'at':'1s','for':'2s','kind':'link.bandwidth','target':'botmod->configstore',"
                 "'bytes_per_s':1000}",
                 "bandwidth 1000 B/s (response) on botmod->configstore", features, 1);
    check_faults("{'at':'1s','for':'2s','kind':'fiu','target':'botmod[1]','point':'botmod/*',"
                 "'failnum':3}",
                 "fiu botmod/* in botmod[1] (failnum 3)", botmod, 2);
    check_faults("{'at':'1s','for':'2s','kind':'posix','target':'proxy','points':["
                 "'posix/io/net/connect','posix/io/rw/*'],'probability':0.3}",
                 "posix posix/io/net/connect,posix/io/rw/* in proxy with probability 0.3", proxy,
                 1);
    check_faults("{'at':'1s','for':'2s','kind':'posix','target':'origin','points':'libc/mm/*'}",
                 "posix libc/mm/* in origin", origin, 1);
    check_faults("{'at':'1s','for':'2s','kind':'dependency.outage','target':'configstore','mode':"
                 "'empty'}",
                 "outage of configstore: answering 200 with an empty body", store, 3);
    check_faults("{'at':'1s','for':'2s','kind':'dependency.outage','target':'origin'}",
                 "outage of origin: refusing connections", origin, 1);
}

static void test_names_and_text(void **state)
{
    fs_scenario_t *s;

    (void)state;
    s = good("{'name':'a123456789012345678901234567890123456789012345678901234567890.-_',"
             "'title':'T','description':'line one\\nline two','references':['https://x/1',"
             "'https://x/2'],'duration':'10s','faults':[" CRASH "]}",
             NULL);
    assert_int_equal(strlen(fs_scenario_name(s)), 64);
    assert_string_equal(fs_scenario_title(s), "T");
    assert_string_equal(fs_scenario_description(s), "line one\nline two");
    assert_int_equal(fs_scenario_reference_count(s), 2);
    assert_string_equal(fs_scenario_reference(s, 1), "https://x/2");
    fs_scenario_free(s);
    s = good("{'$schema':'scenario.schema.json','name':'0','duration':'1m','faults':[" CRASH "]}",
             NULL);
    assert_string_equal(fs_scenario_name(s), "0");
    assert_int_equal(fs_scenario_duration_ms(s), 60000);
    fs_scenario_free(s);
}

static void test_kind_defaults(void **state)
{
    fs_scenario_t *s;

    (void)state;
    s = one("{'at':'1s','for':'2s','kind':'link.http_error','target':'proxy->botmod'}");
    {
        const fs_inj_link_t *l = fs_scenario_fault(s, 0)->state;

        assert_int_equal(l->status, 503);
        assert_true(l->probability == 1);
        assert_int_equal(l->target.kind, FS_TARGET_IFACE);
        assert_int_equal(l->target.iface, FS_IF_PROXY_BOTMOD);
    }
    fs_scenario_free(s);
    s = one("{'at':'1s','for':'2s','kind':'link.bandwidth','target':'proxy->botmod',"
            "'bytes_per_s':5}");
    assert_int_equal(((const fs_inj_link_t *)fs_scenario_fault(s, 0)->state)->direction,
                     FS_INJ_DIR_RESPONSE);
    fs_scenario_fault(s, 0)->ops->free(NULL); /* free(NULL) is harmless */
    fs_scenario_free(s);
    s = one("{'at':'1s','for':'2s','kind':'dependency.outage','target':'botmod'}");
    {
        const fs_inj_dependency_t *d = fs_scenario_fault(s, 0)->state;

        assert_int_equal(d->svc, FS_SVC_BOTMOD);
        assert_int_equal(d->mode, FS_INJ_OUTAGE_REFUSED);
    }
    fs_scenario_free(s);
    s = one("{'at':'1s','for':'2s','kind':'fiu','target':'origin','point':'origin/serve'}");
    {
        const fs_inj_fiu_t *f = fs_scenario_fault(s, 0)->state;

        assert_int_equal(f->failnum, 1);
        assert_true(f->probability == 1);
        assert_int_equal(f->npoints, 1);
        assert_string_equal(f->points[0], "origin/serve");
        assert_false(f->posix);
    }
    fs_scenario_free(s);
    s = one("{'at':'1s','for':'2s','kind':'process.hang','target':'proxy'}");
    {
        const fs_inj_process_t *p = fs_scenario_fault(s, 0)->state;

        assert_true(p->share == 1);
        assert_int_equal(p->signal, 0);
        assert_int_equal(p->target.kind, FS_TARGET_SERVICE);
    }
    fs_scenario_free(s);
    s = one("{'at':'1s','for':'2s','kind':'config.killswitch','rule':'r.1'}");
    {
        const fs_inj_config_t *c = fs_scenario_fault(s, 0)->state;

        assert_string_equal(c->key, "waf/rules");
        assert_string_equal(c->rule, "r.1");
        assert_int_equal(c->flap, 0);
    }
    fs_scenario_free(s);
}

static void test_registry(void **state)
{
    const fs_inj_ops_t *const *all = fs_inj_all();
    int n = 0;

    (void)state;
    for (; all[n]; n++) {
        assert_ptr_equal(fs_inj_find(all[n]->kind), all[n]);
        assert_non_null(all[n]->parse);
        assert_non_null(all[n]->faults);
        assert_non_null(all[n]->describe);
        assert_non_null(all[n]->free);
        assert_non_null(all[n]->fields);
        for (int j = 0; j < n; j++)
            assert_string_not_equal(all[j]->kind, all[n]->kind);
        /* at, for and kind belong to the loader. */
        for (int j = 0; all[n]->fields[j]; j++) {
            assert_string_not_equal(all[n]->fields[j], "at");
            assert_string_not_equal(all[n]->fields[j], "for");
            assert_string_not_equal(all[n]->fields[j], "kind");
        }
    }
    assert_int_equal(n, 23);
    assert_null(fs_inj_find("config"));
    assert_null(fs_inj_find(NULL));
    assert_non_null(fs_inj_find("dependency.outage"));
    assert_true(fs_inj_fiu_point_known(FS_SVC_BOTMOD, "botmod/config/*"));
    assert_false(fs_inj_fiu_point_known(FS_SVC_BOTMOD, "botmod/conf/*"));
    assert_true(fs_inj_fiu_posix_point_known("posix/io/rw/writev"));
    assert_true(fs_inj_fiu_posix_point_known("posix/*"));
    assert_false(fs_inj_fiu_posix_point_known("posix/io/rw/recv"));
}

static char *write_tmp(const char *content, size_t len)
{
    char *path = strdup("/tmp/fs-test-scenario-XXXXXX");
    int fd;

    assert_non_null(path);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    close(fd);
    return path;
}

static void test_load_file(void **state)
{
    fs_scenario_t *s = NULL;
    char err[512], *path, *big, *json = dq(scaled);

    (void)state;
    path = write_tmp(json, strlen(json));
    assert_int_equal(fs_scenario_load(path, NULL, &s, err, sizeof(err)), 0);
    assert_string_equal(fs_scenario_name(s), "scaled");
    assert_string_equal(fs_scenario_file(s), path);
    fs_scenario_free(s);
    unlink(path);
    free(path);
    free(json);

    assert_int_equal(fs_scenario_load("/nonexistent/x.json", NULL, &s, err, sizeof(err)), -ENOENT);
    assert_null(s);
    assert_string_equal(err, "/nonexistent/x.json: No such file or directory");
    assert_int_equal(fs_scenario_load("/tmp", NULL, &s, err, sizeof(err)), -EISDIR);

    big = malloc(FS_SCENARIO_MAX_BYTES + 10);
    assert_non_null(big);
    memset(big, ' ', FS_SCENARIO_MAX_BYTES + 10);
    path = write_tmp(big, FS_SCENARIO_MAX_BYTES + 10);
    assert_int_equal(fs_scenario_load(path, NULL, &s, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, ": larger than 1048576 bytes (1 MiB), the limit on a scenario "
                                "file"));
    unlink(path);
    free(path);
    free(big);

    /* The file name leads syntax errors too. */
    path = write_tmp("{\n  \"name\": }", 13);
    assert_int_equal(fs_scenario_load(path, NULL, &s, err, sizeof(err)), -EINVAL);
    assert_int_equal(strncmp(err, path, strlen(path)), 0);
    assert_string_equal(err + strlen(path), ":2:11: expected a value, got '}'");
    unlink(path);
    free(path);
}

static void test_library_loads(void **state)
{
    char dir[512], path[1024], err[1024];
    struct dirent *d;
    DIR *dp;
    int n = 0;

    (void)state;
    tu_repo_path(dir, sizeof(dir), "scenarios");
    dp = opendir(dir);
    if (dp == NULL)
        fail_msg("%s: %s", dir, strerror(errno));
    while ((d = readdir(dp)) != NULL) {
        size_t len = strlen(d->d_name);
        fs_scenario_t *s = NULL;

        if (len < 5 || strcmp(d->d_name + len - 5, ".json") != 0 ||
            (len > 12 && strcmp(d->d_name + len - 12, ".schema.json") == 0))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
        if (fs_scenario_load(path, NULL, &s, err, sizeof(err)) != 0)
            fail_msg("%s", err);
        fs_scenario_free(s);
        n++;
    }
    closedir(dp);
    print_message("%d scenarios under %s load\n", n, dir);
}

static cJSON *read_json(const char *path)
{
    static char buf[1 << 20];
    char err[256];
    cJSON *root = NULL;
    ssize_t n;
    int fd = open(path, O_RDONLY);

    if (fd < 0)
        fail_msg("%s: %s", path, strerror(errno));
    n = read(fd, buf, sizeof(buf));
    close(fd);
    assert_true(n > 0);
    if (fs_json_parse(buf, (size_t)n, sizeof(buf), &root, err, sizeof(err)) != 0)
        fail_msg("%s: %s", path, err);
    return root;
}

static int has_string(const cJSON *array, const char *s)
{
    const cJSON *i;

    cJSON_ArrayForEach(i, array)
    {
        if (cJSON_IsString(i) && strcmp(i->valuestring, s) == 0)
            return 1;
    }
    return 0;
}

/* The schema describes the kinds the registry has, with the same fields,
 * so an editor and the loader agree. */
static void test_schema_matches_registry(void **state)
{
    const fs_inj_ops_t *const *all = fs_inj_all();
    char path[512];
    cJSON *root, *defs, *kinds;
    int n = 0;

    (void)state;
    tu_repo_path(path, sizeof(path), "scenarios/scenario.schema.json");
    root = read_json(path);
    defs = cJSON_GetObjectItemCaseSensitive(root, "$defs");
    kinds = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(defs, "fault"),
                                             "properties"),
            "kind"),
        "enum");
    assert_non_null(kinds);
    assert_int_equal(cJSON_GetArraySize(kinds), 23);
    for (; all[n]; n++) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(defs, all[n]->kind), *props, *req, *p;
        int nfields = 0, nprops = 0;

        if (k == NULL)
            fail_msg("schema: no $defs for %s", all[n]->kind);
        assert_string_equal(cJSON_GetArrayItem(kinds, n)->valuestring, all[n]->kind);
        assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(k, "additionalProperties")));
        props = cJSON_GetObjectItemCaseSensitive(k, "properties");
        req = cJSON_GetObjectItemCaseSensitive(k, "required");
        for (; all[n]->fields[nfields]; nfields++) {
            if (!cJSON_HasObjectItem(props, all[n]->fields[nfields]))
                fail_msg("schema: %s lacks %s", all[n]->kind, all[n]->fields[nfields]);
        }
        cJSON_ArrayForEach(p, props)
        {
            nprops++;
        }
        assert_int_equal(nprops, nfields + 2 + (all[n]->needs_for >= 0));
        assert_true(cJSON_HasObjectItem(props, "at"));
        assert_int_equal(cJSON_HasObjectItem(props, "for"), all[n]->needs_for >= 0);
        assert_int_equal(has_string(req, "for"), all[n]->needs_for > 0);
        assert_true(has_string(req, "at"));
    }
    cJSON_Delete(root);
}

/* The schema's fleet.knobs lists exactly the knobs the loader knows. */
static void test_schema_matches_knobs(void **state)
{
    char path[512];
    cJSON *root, *props;
    size_t n = 0;

    (void)state;
    tu_repo_path(path, sizeof(path), "scenarios/scenario.schema.json");
    root = read_json(path);
    props = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(root, "properties"), "fleet"),
                "properties"),
            "knobs"),
        "properties");
    assert_non_null(props);
    for (; fs_knobs_known(n); n++) {
        if (!cJSON_HasObjectItem(props, fs_knobs_known(n)))
            fail_msg("schema: fleet.knobs lacks %s", fs_knobs_known(n));
    }
    assert_int_equal(cJSON_GetArraySize(props), (int)n);
    cJSON_Delete(root);
}

/* Every default the schema states is accepted by the loader. */
static void test_schema_defaults_load(void **state)
{
    static const char *const sections[] = {"fleet", "load", "slo"};
    char path[512], *json, err[1024];
    cJSON *root, *props;

    (void)state;
    tu_repo_path(path, sizeof(path), "scenarios/scenario.schema.json");
    root = read_json(path);
    props = cJSON_GetObjectItemCaseSensitive(root, "properties");
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        cJSON *sp = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(props, sections[i]), "properties");
        cJSON *field;

        assert_non_null(sp);
        cJSON_ArrayForEach(field, sp)
        {
            cJSON *doc = cJSON_CreateObject(), *sec = cJSON_CreateObject(), *faults, *f;
            fs_scenario_t *s = NULL;
            const cJSON *def = cJSON_GetObjectItemCaseSensitive(field, "default");

            if (def == NULL)
                fail_msg("schema: %s.%s has no default", sections[i], field->string);
            cJSON_AddStringToObject(doc, "name", "d");
            cJSON_AddStringToObject(doc, "duration", "10s");
            cJSON_AddItemToObject(sec, field->string, cJSON_Duplicate(def, 1));
            cJSON_AddItemToObject(doc, sections[i], sec);
            faults = cJSON_AddArrayToObject(doc, "faults");
            f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "at", "1s");
            cJSON_AddStringToObject(f, "kind", "process.kill");
            cJSON_AddStringToObject(f, "target", "origin");
            cJSON_AddItemToArray(faults, f);
            json = cJSON_PrintUnformatted(doc);
            if (parse(json, NULL, &s, err, sizeof(err)) != 0)
                fail_msg("%s: %s", json, err);
            fs_scenario_free(s);
            cJSON_free(json);
            cJSON_Delete(doc);
        }
    }
    cJSON_Delete(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_sketch_loads),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_time_scale),
        cmocka_unit_test(test_time_scale_limits),
        cmocka_unit_test(test_conflicts_allowed),
        cmocka_unit_test(test_config_cap),
        cmocka_unit_test(test_seed_override),
        cmocka_unit_test(test_postures_and_expect),
        cmocka_unit_test(test_knobs),
        cmocka_unit_test(test_every_family),
        cmocka_unit_test(test_names_and_text),
        cmocka_unit_test(test_kind_defaults),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_library_loads),
        cmocka_unit_test(test_schema_matches_registry),
        cmocka_unit_test(test_schema_matches_knobs),
        cmocka_unit_test(test_schema_defaults_load),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
