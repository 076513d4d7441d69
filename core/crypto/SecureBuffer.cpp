// Wiping buffer for secrets.
#include "core/crypto/SecureBuffer.h"

#include <cstring>
#include <utility>

#include <openssl/crypto.h>

namespace countersign::crypto {

SecureBuffer::SecureBuffer(qsizetype size)
    : m_data(size > 0 ? std::make_unique<unsigned char[]>(static_cast<std::size_t>(size)) : nullptr),
      m_size(size > 0 ? size : 0)
{
}

SecureBuffer::SecureBuffer(QByteArrayView bytes) : SecureBuffer(bytes.size())
{
    if (m_size > 0)
        std::memcpy(m_data.get(), bytes.data(), static_cast<std::size_t>(m_size));
}

SecureBuffer::~SecureBuffer()
{
    clear();
}

SecureBuffer::SecureBuffer(SecureBuffer &&other) noexcept
    : m_data(std::move(other.m_data)), m_size(std::exchange(other.m_size, 0))
{
}

SecureBuffer &SecureBuffer::operator=(SecureBuffer &&other) noexcept
{
    if (this != &other) {
        clear();
        m_data = std::move(other.m_data);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

void SecureBuffer::clear()
{
    if (m_data && m_size > 0)
        OPENSSL_cleanse(m_data.get(), static_cast<std::size_t>(m_size));
    m_data.reset();
    m_size = 0;
}

} // namespace countersign::crypto
