// A byte buffer for secrets (private key seeds, passphrases): fixed size, never copied
// implicitly, wiped with OPENSSL_cleanse when destroyed or cleared.
#pragma once

#include <cstddef>
#include <memory>

#include <QByteArrayView>
#include <QtGlobal>

namespace countersign::crypto {

class SecureBuffer final
{
public:
    SecureBuffer() = default;
    explicit SecureBuffer(qsizetype size);
    explicit SecureBuffer(QByteArrayView bytes);
    ~SecureBuffer();

    SecureBuffer(SecureBuffer &&other) noexcept;
    SecureBuffer &operator=(SecureBuffer &&other) noexcept;
    SecureBuffer(const SecureBuffer &) = delete;
    SecureBuffer &operator=(const SecureBuffer &) = delete;

    [[nodiscard]] unsigned char *data() { return m_data.get(); }
    [[nodiscard]] const unsigned char *data() const { return m_data.get(); }
    [[nodiscard]] qsizetype size() const { return m_size; }
    [[nodiscard]] bool isEmpty() const { return m_size == 0; }
    [[nodiscard]] QByteArrayView view() const
    {
        return QByteArrayView(reinterpret_cast<const char *>(m_data.get()), m_size);
    }

    // Wipes and releases the bytes.
    void clear();

private:
    std::unique_ptr<unsigned char[]> m_data;
    qsizetype m_size = 0;
};

} // namespace countersign::crypto
