// What `countersign-audit verify` spends deciding that a stored payload is the canonical JSON of
// an object, per payload: parse + canonicalize + compare (how AuditVerifier decides it today)
// against json::checkCanonicalObject, over the payloads of a simulated gateway's audit trail
// (bench/AuditWorkload). Prints the mean payload size and the best of R runs, in µs per payload.
//
//   bench_json_canonical_check [ENTRIES (default 20000)] [RUNS (default 5)]
#include "bench/AuditWorkload.h"
#include "core/json/CanonicalCheck.h"
#include "core/json/Json.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include <QElapsedTimer>

using namespace countersign;

int main(int argc, char **argv)
{
    const int entries = argc > 1 ? std::max(1, atoi(argv[1])) : 20000;
    const int runs = argc > 2 ? std::max(1, atoi(argv[2])) : 5;

    bench::AuditWorkload workload(bench::WorkloadOptions{});
    std::vector<QByteArray> payloads;
    payloads.reserve(size_t(entries));
    qint64 bytes = 0;
    for (int i = 0; i < entries; ++i) {
        payloads.push_back(json::canonicalize(workload.next().entry.payload));
        bytes += payloads.back().size();
    }

    // The limits AuditVerifier applies.
    json::Limits limits;
    limits.maxBytes = audit::kMaxPayloadBytes;

    double bestParse = 1e300;
    double bestCheck = 1e300;
    for (int run = 0; run < runs; ++run) {
        QElapsedTimer timer;
        int accepted = 0;
        timer.start();
        for (const QByteArray &payload : payloads) {
            const Result<QJsonValue> value = json::parse(payload, limits);
            accepted += value && value.value().isObject() && json::canonicalize(value.value()) == payload;
        }
        bestParse = std::min(bestParse, double(timer.nsecsElapsed()) / 1000.0 / double(payloads.size()));
        if (accepted != entries)
            return std::fprintf(stderr, "parse + canonicalize refused %d payloads\n", entries - accepted), 1;

        accepted = 0;
        timer.start();
        for (const QByteArray &payload : payloads)
            accepted += json::checkCanonicalObject(payload, limits).ok();
        bestCheck = std::min(bestCheck, double(timer.nsecsElapsed()) / 1000.0 / double(payloads.size()));
        if (accepted != entries)
            return std::fprintf(stderr, "checkCanonicalObject refused %d payloads\n", entries - accepted), 1;
    }

    std::printf("payloads: %d, mean %.0f bytes; best of %d runs\n", entries, double(bytes) / entries, runs);
    std::printf("parse + canonicalize + compare: %.2f us/payload\n", bestParse);
    std::printf("checkCanonicalObject:           %.2f us/payload (%.1fx)\n", bestCheck, bestParse / bestCheck);
    return 0;
}
