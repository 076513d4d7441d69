// Ownership of OpenSSL objects for core's implementation files: one deleter for every type, so
// no path can leak a key or forget to free it. Included only by .cpp files in core/.
#pragma once

#include <memory>

#include <openssl/bio.h>
#include <openssl/evp.h>

namespace countersign::crypto {

template<auto Free>
struct OpenSslDeleter
{
    template<typename T>
    void operator()(T *p) const { Free(p); }
};

template<typename T, auto Free>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<Free>>;

using PKeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using BioPtr = OpenSslPtr<BIO, BIO_free>;

} // namespace countersign::crypto
