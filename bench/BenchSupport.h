// Small helpers shared by the benchmarks: peak memory, CPU time, percentiles, file sizes, and the
// "RESULT name value unit" lines that bench/run-audit-bench collects into its table.
#pragma once

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include <sys/resource.h>

#include <QFileInfo>
#include <QString>
#include <QTextStream>

namespace countersign::bench {

// The process's peak resident set size so far, in MiB (ru_maxrss is in KiB on Linux).
inline double peakRssMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

// CPU seconds (user + system) of this process, or of its waited-for children.
inline double cpuSeconds(int who = RUSAGE_SELF)
{
    rusage usage{};
    getrusage(who, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// User and system CPU seconds of this process, apart: an fsync's cost shows in the second.
inline std::pair<double, double> cpuUserSystem()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return {double(usage.ru_utime.tv_sec) + double(usage.ru_utime.tv_usec) / 1e6,
            double(usage.ru_stime.tv_sec) + double(usage.ru_stime.tv_usec) / 1e6};
}

// Nearest-rank percentile (p in 0..100) of samples; sorts them.
inline double percentile(std::vector<double> &samples, double p)
{
    if (samples.empty())
        return 0;
    std::sort(samples.begin(), samples.end());
    const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * double(samples.size())));
    return samples.at(std::clamp<size_t>(rank, 1, samples.size()) - 1);
}

// The database file with its -wal, in bytes.
inline qint64 databaseBytes(const QString &path)
{
    return QFileInfo(path).size() + QFileInfo(path + QStringLiteral("-wal")).size();
}

inline void result(QTextStream &out, const QString &name, double value, const char *unit)
{
    out << "RESULT " << name << ' ' << QString::number(value, 'f', value < 10 ? 3 : 1) << ' ' << unit << '\n';
    out.flush();
}

} // namespace countersign::bench
