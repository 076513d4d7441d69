// libFuzzer target for HttpRequestParser: any bytes, split into chunks at any points, must never
// crash, hang or produce a request that breaks the limits; and splitting must not change the
// outcome (the first byte of the input chooses the chunk size).
#include "gateway/HttpRequestParser.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

using countersign::gateway::HttpLimits;
using countersign::gateway::HttpRequestParser;
using State = HttpRequestParser::State;

// Parses every request in input; returns a summary that must not depend on the chunking.
QByteArray run(QByteArrayView input, qsizetype chunk)
{
    const HttpLimits limits;
    HttpRequestParser parser(limits);
    QByteArray summary;
    State state = State::Incomplete;
    for (qsizetype offset = 0; offset < input.size(); offset += chunk) {
        state = parser.feed(input.sliced(offset, std::min(chunk, input.size() - offset)));
        int guard = 0;
        while (state == State::Complete) {
            const auto &request = parser.request();
            if (request.body.size() > limits.maxBodyBytes || request.headers.size() > limits.maxHeaders
                || !request.path.startsWith('/'))
                std::abort();
            summary += request.method + ' ' + request.target + ' ' + QByteArray::number(request.body.size()) + '\n';
            state = parser.next();
            if (++guard > 100000)
                std::abort();
        }
        if (state == State::Failed)
            break;
    }
    if (state == State::Failed)
        summary += "failed " + QByteArray::number(parser.error().status);
    return summary;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    const qsizetype chunk = 1 + data[0] % 64;
    if (run(input, input.size() + 1) != run(input, chunk))
        std::abort();
    return 0;
}
