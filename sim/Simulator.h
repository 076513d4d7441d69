// Drives the simulated workload against a gateway: submits at a steady rate, waits for outcomes
// like a real agent (long-poll), and keeps the tally the report prints.
#pragma once

#include "sim/AgentClient.h"
#include "sim/Scenario.h"

#include <functional>
#include <map>
#include <memory>

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QTimer>

namespace countersign::sim {

struct SimulatorSettings
{
    QUrl gateway;            // https://127.0.0.1:8443
    QByteArray pinnedSha256; // lowercase hex
    QByteArray secret;       // derives each agent's token and each application's key
    QString gatewayId;       // the audience of user assertions; empty: every identity stays claimed
    double ratePerSecond = 0.5;
    int count = 0;           // 0: run until stopped
    quint32 seed = 1;
    bool waitForOutcomes = true;
};

class Simulator final : public QObject
{
    Q_OBJECT

public:
    Simulator(SimulatorSettings settings, QTextStream &out, QObject *parent = nullptr);
    Q_DISABLE_COPY_MOVE(Simulator)

    void start();
    [[nodiscard]] QString summary() const;
    [[nodiscard]] int failures() const { return m_failures; }

Q_SIGNALS:
    void finished();

private:
    struct Outstanding
    {
        QString agentId;
        QString kind;
        qint64 submittedMs = 0;
        bool polling = false;
    };

    void submitNext();
    // The enrolled Judges' verdicts in submission, signed by them for its call.
    void signVerdicts(Submission &submission) const;
    // Signs the enrolled Judges' verdicts and replaces the claimed user, application, parents
    // and session with an identity token when the application is enrolled, then calls send.
    void attachIdentity(Submission submission, std::function<void(const Submission &)> send);
    void poll(const QString &actionId);
    void pollSome();
    void maybeFinish();
    AgentClient &clientFor(const QString &agentId);

    SimulatorSettings m_settings;
    QTextStream &m_out;
    ScenarioGenerator m_generator;
    std::map<QString, std::unique_ptr<AgentClient>> m_clients;
    QHash<QString, Outstanding> m_outstanding;
    QHash<QString, int> m_tally; // status → count
    QTimer m_submitTimer;
    QTimer m_pollTimer;
    QElapsedTimer m_elapsed;
    int m_submitted = 0;
    int m_inFlight = 0;
    int m_failures = 0;
};

} // namespace countersign::sim
