// HttpRequestParser, table-driven: heads that must parse (and how), heads that must be refused
// (and with which status), byte-at-a-time feeding, bodies, and pipelining.
#include "gateway/HttpRequestParser.h"

#include <QTest>

using namespace countersign::gateway;
using State = HttpRequestParser::State;

class TestHttpParser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void goodRequests_data();
    void goodRequests();
    void badRequests_data();
    void badRequests();
    void incompleteStaysIncomplete();
    void bodyTooLargeIsRefusedBeforeTheBody();
    void pipelinedRequests();
    void expectContinue();
};

void TestHttpParser::goodRequests_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("keepAlive");

    QTest::newRow("GET") << QByteArray("GET /v1/actions/act-1 HTTP/1.1\r\nHost: gw\r\n\r\n")
                         << QByteArray("GET") << QByteArray("/v1/actions/act-1") << QByteArray() << QByteArray() << true;
    QTest::newRow("query") << QByteArray("GET /v1/actions/a?wait=5 HTTP/1.1\r\nHost: gw\r\n\r\n")
                           << QByteArray("GET") << QByteArray("/v1/actions/a") << QByteArray("wait=5") << QByteArray() << true;
    QTest::newRow("POST with body")
        << QByteArray("POST /v1/actions HTTP/1.1\r\nHost: gw\r\nContent-Length: 7\r\nContent-Type: application/json\r\n\r\n{\"a\":1}")
        << QByteArray("POST") << QByteArray("/v1/actions") << QByteArray() << QByteArray("{\"a\":1}") << true;
    QTest::newRow("POST empty body") << QByteArray("POST /x HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\n\r\n")
                                     << QByteArray("POST") << QByteArray("/x") << QByteArray() << QByteArray() << true;
    QTest::newRow("Connection: close") << QByteArray("GET / HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")
                                       << QByteArray("GET") << QByteArray("/") << QByteArray() << QByteArray() << false;
    QTest::newRow("Connection list with Close") << QByteArray("GET / HTTP/1.1\r\nHost: gw\r\nConnection: TE, Close\r\n\r\n")
                                                << QByteArray("GET") << QByteArray("/") << QByteArray() << QByteArray() << false;
    QTest::newRow("HTTP/1.0 closes") << QByteArray("GET / HTTP/1.0\r\n\r\n")
                                     << QByteArray("GET") << QByteArray("/") << QByteArray() << QByteArray() << false;
    QTest::newRow("HTTP/1.0 keep-alive") << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                                         << QByteArray("GET") << QByteArray("/") << QByteArray() << QByteArray() << true;
    QTest::newRow("leading empty line") << QByteArray("\r\nGET / HTTP/1.1\r\nHost: gw\r\n\r\n")
                                        << QByteArray("GET") << QByteArray("/") << QByteArray() << QByteArray() << true;
    QTest::newRow("whitespace around value") << QByteArray("GET / HTTP/1.1\r\nHost:   gw \t\r\n\r\n")
                                             << QByteArray("GET") << QByteArray("/") << QByteArray() << QByteArray() << true;
    QTest::newRow("obs-text in value") << QByteArray("GET / HTTP/1.1\r\nHost: gw\r\nX-Name: caf\xc3\xa9\r\n\r\n")
                                       << QByteArray("GET") << QByteArray("/") << QByteArray() << QByteArray() << true;
}

void TestHttpParser::goodRequests()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, body);
    QFETCH(bool, keepAlive);

    HttpRequestParser parser;
    QCOMPARE(parser.feed(bytes), State::Complete);
    const HttpRequest &request = parser.request();
    QCOMPARE(request.method, method);
    QCOMPARE(request.path, path);
    QCOMPARE(request.query, query);
    QCOMPARE(request.body, body);
    QCOMPARE(request.keepAlive, keepAlive);

    // The same bytes one at a time give the same request.
    HttpRequestParser slow;
    State state = State::Incomplete;
    for (char c : std::as_const(bytes))
        state = slow.feed(QByteArrayView(&c, 1));
    QCOMPARE(state, State::Complete);
    QCOMPARE(slow.request().path, path);
    QCOMPARE(slow.request().body, body);
}

void TestHttpParser::badRequests_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("code");

    const QByteArray bad = "http.bad_request";
    QTest::newRow("bare LF") << QByteArray("GET / HTTP/1.1\nHost: gw\n\n") << 400 << bad;
    QTest::newRow("bare CR") << QByteArray("GET / HTTP/1.1\rHost: gw\r\n\r\n") << 400 << bad;
    QTest::newRow("no version") << QByteArray("GET /\r\nHost: gw\r\n\r\n") << 400 << bad;
    QTest::newRow("two spaces") << QByteArray("GET  / HTTP/1.1\r\nHost: gw\r\n\r\n") << 400 << bad;
    QTest::newRow("absolute URL") << QByteArray("GET http://gw/ HTTP/1.1\r\nHost: gw\r\n\r\n") << 400 << bad;
    QTest::newRow("asterisk") << QByteArray("OPTIONS * HTTP/1.1\r\nHost: gw\r\n\r\n") << 400 << bad;
    QTest::newRow("fragment") << QByteArray("GET /a#b HTTP/1.1\r\nHost: gw\r\n\r\n") << 400 << bad;
    QTest::newRow("control byte in target") << QByteArray("GET /a\x01 HTTP/1.1\r\nHost: gw\r\n\r\n") << 400 << bad;
    QTest::newRow("bad method") << QByteArray("G(T / HTTP/1.1\r\nHost: gw\r\n\r\n") << 400 << bad;
    QTest::newRow("lowercase version") << QByteArray("GET / http/1.1\r\nHost: gw\r\n\r\n") << 400 << bad;
    QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\nHost: gw\r\n\r\n") << 505 << QByteArray("http.version");
    QTest::newRow("no Host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400 << bad;
    QTest::newRow("two Hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400 << bad;
    QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : gw\r\n\r\n") << 400 << bad;
    QTest::newRow("folded header") << QByteArray("GET / HTTP/1.1\r\nHost: gw\r\nX-A: 1\r\n 2\r\n\r\n") << 400 << bad;
    QTest::newRow("no colon") << QByteArray("GET / HTTP/1.1\r\nHost: gw\r\nBroken\r\n\r\n") << 400 << bad;
    QTest::newRow("NUL in value") << QByteArray("GET / HTTP/1.1\r\nHost: g\0w\r\n\r\n", 29) << 400 << bad;
    QTest::newRow("two Content-Length")
        << QByteArray("POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx") << 400 << bad;
    QTest::newRow("signed Content-Length") << QByteArray("POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: +1\r\n\r\nx") << 400 << bad;
    QTest::newRow("hex Content-Length") << QByteArray("POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 0x10\r\n\r\n") << 400 << bad;
    QTest::newRow("Content-Length list") << QByteArray("POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 1, 1\r\n\r\nx") << 400 << bad;
    QTest::newRow("huge Content-Length")
        << QByteArray("POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 99999999999999999999999\r\n\r\n") << 400 << bad;
    QTest::newRow("Content-Length over limit")
        << QByteArray("POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 262145\r\n\r\n") << 413 << QByteArray("http.body_too_large");
    QTest::newRow("POST without length") << QByteArray("POST / HTTP/1.1\r\nHost: gw\r\n\r\n") << 411 << QByteArray("http.length_required");
    QTest::newRow("PUT without length") << QByteArray("PUT / HTTP/1.1\r\nHost: gw\r\n\r\n") << 411 << QByteArray("http.length_required");
    QTest::newRow("chunked") << QByteArray("POST / HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n") << 501
                             << QByteArray("http.not_implemented");
    QTest::newRow("chunked and length")
        << QByteArray("POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n") << 501
        << QByteArray("http.not_implemented");
    QTest::newRow("unknown expectation") << QByteArray("POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 1\r\nExpect: magic\r\n\r\n")
                                         << 417 << QByteArray("http.expectation_failed");
    QByteArray many = "GET / HTTP/1.1\r\nHost: gw\r\n";
    for (int i = 0; i < 64; ++i)
        many += "X-" + QByteArray::number(i) + ": v\r\n";
    QTest::newRow("65 headers") << many + "\r\n" << 431 << QByteArray("http.head_too_large");
    QTest::newRow("head over 16 KiB") << "GET / HTTP/1.1\r\nHost: gw\r\nX: " + QByteArray(16 * 1024, 'a') + "\r\n\r\n" << 431
                                      << QByteArray("http.head_too_large");
    QTest::newRow("endless head") << "GET / HTTP/1.1\r\nX: " + QByteArray(17 * 1024, 'a') << 431 << QByteArray("http.head_too_large");
}

void TestHttpParser::badRequests()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, status);
    QFETCH(QByteArray, code);
    HttpRequestParser parser;
    QCOMPARE(parser.feed(bytes), State::Failed);
    QCOMPARE(parser.error().status, status);
    QCOMPARE(parser.error().code, code);
    QVERIFY(!parser.error().message.isEmpty());
    // Once failed, nothing more is parsed.
    QCOMPARE(parser.feed("GET / HTTP/1.1\r\nHost: gw\r\n\r\n"), State::Failed);
}

void TestHttpParser::incompleteStaysIncomplete()
{
    HttpRequestParser parser;
    QCOMPARE(parser.feed("GET / HTTP/1.1\r\nHost: gw\r\n"), State::Incomplete);
    QVERIFY(!parser.headComplete());
    QCOMPARE(parser.feed("\r"), State::Incomplete);
    QCOMPARE(parser.feed("\n"), State::Complete);

    HttpRequestParser body;
    QCOMPARE(body.feed("POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nab"), State::Incomplete);
    QVERIFY(body.headComplete());
    QCOMPARE(body.feed("cde"), State::Complete);
    QCOMPARE(body.request().body, QByteArray("abcde"));
}

void TestHttpParser::bodyTooLargeIsRefusedBeforeTheBody()
{
    HttpLimits limits;
    limits.maxBodyBytes = 10;
    HttpRequestParser parser(limits);
    QCOMPARE(parser.feed("POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 11\r\n\r\n"), State::Failed);
    QCOMPARE(parser.error().status, 413);
}

void TestHttpParser::pipelinedRequests()
{
    HttpRequestParser parser;
    QCOMPARE(parser.feed("GET /one HTTP/1.1\r\nHost: gw\r\n\r\n"
                         "POST /two HTTP/1.1\r\nHost: gw\r\nContent-Length: 3\r\n\r\nabc"
                         "GET /thr"),
             State::Complete);
    QCOMPARE(parser.request().path, QByteArray("/one"));
    QCOMPARE(parser.next(), State::Complete);
    QCOMPARE(parser.request().path, QByteArray("/two"));
    QCOMPARE(parser.request().body, QByteArray("abc"));
    QCOMPARE(parser.next(), State::Incomplete);
    QCOMPARE(parser.feed("ee HTTP/1.1\r\nHost: gw\r\n\r\n"), State::Complete);
    QCOMPARE(parser.request().path, QByteArray("/three"));
    QCOMPARE(parser.next(), State::Incomplete);
    QCOMPARE(parser.bufferedBytes(), 0);
}

void TestHttpParser::expectContinue()
{
    HttpRequestParser parser;
    QCOMPARE(parser.feed("POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"), State::Incomplete);
    QVERIFY(parser.awaitingContinue());
    QCOMPARE(parser.feed("{}"), State::Complete);
    QVERIFY(!parser.awaitingContinue());
}

QTEST_GUILESS_MAIN(TestHttpParser)
#include "TestHttpParser.moc"
