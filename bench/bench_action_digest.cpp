// Throughput of what the gateway and console do for every action they handle: parse the JSON
// under the strict limits, validate the action, canonicalise it (RFC 8785) and hash it.
#include "core/action/Action.h"
#include "core/crypto/Digest.h"
#include "core/json/Json.h"

#include <algorithm>
#include <vector>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

using namespace countersign;

namespace {

QByteArray actionText(int recipients)
{
    QJsonArray to;
    for (int i = 0; i < recipients; ++i)
        to.append(QStringLiteral("person%1@partner-%2.example").arg(i).arg(i % 7));
    Action a;
    a.id = QStringLiteral("act-0123456789abcdef");
    a.createdAt = QDateTime(QDate(2026, 11, 30), QTime(14, 3, 12, 123), Qt::UTC);
    a.deadline = a.createdAt.addSecs(300);
    a.gatewayId = QStringLiteral("gw-3a9e61c0d2f4");
    a.policyVersion = QStringLiteral("demo-1");
    a.tool = QStringLiteral("email");
    a.operation = QStringLiteral("send");
    a.parameters = {{QStringLiteral("to"), to},
                    {QStringLiteral("subject"), QStringLiteral("Quarterly figures")},
                    {QStringLiteral("body"), QString(1500, QLatin1Char('x'))}};
    a.impact = {2, {ImpactCategory::OutboundCommunication}, true, QStringLiteral("email-external"),
                QStringLiteral("Email to recipients outside example.com")};
    a.identity.user = {QStringLiteral("alice@example.com"), QStringLiteral("Alice Martin")};
    a.identity.application = {QStringLiteral("support-desk"), QString()};
    a.identity.agents = {{QStringLiteral("mail-agent"), QStringLiteral("i-4821")}};
    a.identity.sessionId = QStringLiteral("s-00a1b2c3d4");
    a.judges = {{QStringLiteral("judge-gpt-guard"), JudgeOutcome::Pass, QStringLiteral("outbound"), 0.12,
                 QStringLiteral("Consistent with the user's request.")}};
    return QJsonDocument(a.toJson()).toJson(QJsonDocument::Compact);
}

double runOnce(const QByteArray &text, int iterations)
{
    QElapsedTimer timer;
    timer.start();
    qsizetype sink = 0;
    for (int i = 0; i < iterations; ++i) {
        auto parsed = json::parse(text);
        auto action = Action::fromJson(parsed.value().toObject());
        sink += action.value().digest().size();
    }
    const double seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    if (sink == 0)
        return 0;
    return iterations / seconds;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    out << "action parse + validate + RFC 8785 + SHA-256, median of 5 runs\n";
    for (int recipients : {3, 200}) {
        const QByteArray text = actionText(recipients);
        std::vector<double> rates;
        for (int run = 0; run < 5; ++run)
            rates.push_back(runOnce(text, 2000));
        std::sort(rates.begin(), rates.end());
        out << QStringLiteral("  %1-byte action: %2 actions/s (%3 MB/s)\n")
                   .arg(text.size())
                   .arg(rates[2], 0, 'f', 0)
                   .arg(rates[2] * static_cast<double>(text.size()) / 1e6, 0, 'f', 1);
    }
    return 0;
}
