#include "hsm/token/token_internal.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hsm/openssl_util.hpp"
#include "hsm/pkcs11_error.hpp"

namespace signet::hsm {

using namespace detail;  // the pieces token_internal.hpp shares between these files

namespace {

// One attribute's value with the §5.2 length query (§5.7 C_GetAttributeValue).
Result<std::vector<std::uint8_t>> attribute_bytes(Lease& lease, CK_OBJECT_HANDLE object,
                                                  CK_ATTRIBUTE_TYPE type, std::string_view name) {
    CK_FUNCTION_LIST* functions = lease.functions();
    CK_ATTRIBUTE query{type, nullptr, 0};
    CK_RV rv = lease.check(functions->C_GetAttributeValue(lease.handle(), object, &query, 1));
    if (rv != CKR_OK) return std::unexpected(ck_error("reading " + std::string(name), rv));
    if (query.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
        return fail(Errc::internal,
                    "reading " + std::string(name) + ": the token does not reveal it");
    }
    std::vector<std::uint8_t> value(query.ulValueLen);
    query.pValue = value.data();
    rv = lease.check(functions->C_GetAttributeValue(lease.handle(), object, &query, 1));
    if (rv != CKR_OK) return std::unexpected(ck_error("reading " + std::string(name), rv));
    value.resize(std::min<std::size_t>(query.ulValueLen, value.size()));
    return value;
}

Result<CK_ULONG> attribute_ulong(Lease& lease, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                                 std::string_view name) {
    CK_ULONG value = 0;
    CK_ATTRIBUTE query = attribute(type, value);
    const CK_RV rv =
        lease.check(lease.functions()->C_GetAttributeValue(lease.handle(), object, &query, 1));
    if (rv != CKR_OK) return std::unexpected(ck_error("reading " + std::string(name), rv));
    if (query.ulValueLen != sizeof value) {
        return fail(Errc::internal, "reading " + std::string(name) + ": unexpected length");
    }
    return value;
}

}  // namespace

namespace detail {

Result<std::vector<CK_OBJECT_HANDLE>> find_objects(Lease& lease, CK_OBJECT_CLASS object_class,
                                                   const KeyId& id) {
    CK_FUNCTION_LIST* functions = lease.functions();
    CK_ATTRIBUTE search[] = {attribute(CKA_CLASS, object_class), bytes_attribute(CKA_ID, id)};
    CK_RV rv = lease.check(functions->C_FindObjectsInit(lease.handle(), search, std::size(search)));
    if (rv != CKR_OK) return std::unexpected(ck_error("C_FindObjectsInit", rv));
    // A session has one search at a time; C_FindObjectsFinal ends it on every path, so the
    // session goes back to the pool ready for the next search.
    struct Finish {
        Lease& lease;
        ~Finish() { static_cast<void>(lease.functions()->C_FindObjectsFinal(lease.handle())); }
    } finish{lease};

    std::vector<CK_OBJECT_HANDLE> found(2);
    CK_ULONG count = 0;
    rv = lease.check(functions->C_FindObjects(lease.handle(), found.data(), found.size(), &count));
    if (rv != CKR_OK) return std::unexpected(ck_error("C_FindObjects", rv));
    found.resize(std::min<std::size_t>(count, found.size()));
    return found;
}

Result<PublicKey> read_public_key(Lease& lease, CK_OBJECT_HANDLE object) {
    auto type = attribute_ulong(lease, object, CKA_KEY_TYPE, "CKA_KEY_TYPE");
    if (!type) return std::unexpected(type.error());
    if (*type == CKK_RSA) {
        auto modulus = attribute_bytes(lease, object, CKA_MODULUS, "CKA_MODULUS");
        if (!modulus) return std::unexpected(modulus.error());
        auto exponent = attribute_bytes(lease, object, CKA_PUBLIC_EXPONENT, "CKA_PUBLIC_EXPONENT");
        if (!exponent) return std::unexpected(exponent.error());
        return rsa_public_key(*modulus, *exponent);
    }
    if (*type == CKK_EC) {
        auto params = attribute_bytes(lease, object, CKA_EC_PARAMS, "CKA_EC_PARAMS");
        if (!params) return std::unexpected(params.error());
        auto point = attribute_bytes(lease, object, CKA_EC_POINT, "CKA_EC_POINT");
        if (!point) return std::unexpected(point.error());
        return ec_public_key(*params, *point);
    }
    return fail(Errc::internal, "the public key has key type " + std::to_string(*type) +
                                    "; signet uses RSA and EC keys only");
}

}  // namespace detail

// ---- the key index ------------------------------------------------------------------------------

void Token::Impl::forget(const KeyId& id) {
    std::lock_guard lock(keys_mutex_);
    keys_.erase(id);
    for (const CK_OBJECT_CLASS object_class : {CKO_PUBLIC_KEY, CKO_SECRET_KEY}) objects_.erase({object_class, id});
}

void Token::Impl::remember(const KeyId& id, CachedKey key) {
    std::lock_guard lock(keys_mutex_);
    keys_.insert_or_assign(id, key);
}

Result<bool> Token::Impl::still_holds(Lease& lease, CK_OBJECT_HANDLE handle, const KeyId& id,
                                      CK_OBJECT_CLASS expected) {
    CK_OBJECT_CLASS object_class = 0;
    KeyId actual(id.size());
    CK_ATTRIBUTE query[] = {attribute(CKA_CLASS, object_class),
                            CK_ATTRIBUTE{CKA_ID, actual.data(), actual.size()}};
    const CK_RV rv = lease.check(lease.functions()->C_GetAttributeValue(
        lease.handle(), handle, query, std::size(query)));
    // CKR_BUFFER_TOO_SMALL: a longer CKA_ID than ours, so another object (§5.7).
    if (rv == CKR_OBJECT_HANDLE_INVALID || rv == CKR_BUFFER_TOO_SMALL) return false;
    if (rv != CKR_OK) return std::unexpected(ck_error("checking " + key_name(id), rv));
    return object_class == expected && query[1].ulValueLen == id.size() && actual == id;
}

Result<Token::Impl::CachedKey> Token::Impl::private_key(Lease& lease, const KeyId& id) {
    std::optional<CachedKey> cached;
    {
        std::lock_guard lock(keys_mutex_);
        if (const auto found = keys_.find(id); found != keys_.end()) cached = found->second;
    }
    if (cached) {
        auto valid = still_holds(lease, cached->handle, id);
        if (!valid) return std::unexpected(valid.error());
        if (*valid) return *cached;
        forget(id);
    }

    auto found = find_objects(lease, CKO_PRIVATE_KEY, id);
    if (!found) {
        return std::unexpected(found.error().with_context("looking up " + key_name(id)));
    }
    if (found->empty()) {
        return fail(Errc::not_found,
                    "no private " + key_name(id) + " (no CKO_PRIVATE_KEY with that CKA_ID)");
    }
    if (found->size() > 1) {
        return fail(Errc::conflict, "several private keys have CKA_ID " + hex(id) +
                                        " in token '" + name_ + "'");
    }
    auto type = attribute_ulong(lease, found->front(), CKA_KEY_TYPE, "CKA_KEY_TYPE");
    if (!type) return std::unexpected(type.error().with_context("looking up " + key_name(id)));
    const CachedKey key{found->front(), *type};
    remember(id, key);
    return key;
}

Result<CK_OBJECT_HANDLE> Token::Impl::object(Lease& lease, CK_OBJECT_CLASS object_class,
                                             const KeyId& id, const std::string& context) {
    std::optional<CK_OBJECT_HANDLE> cached;
    {
        std::lock_guard lock(keys_mutex_);
        if (const auto found = objects_.find({object_class, id}); found != objects_.end()) cached = found->second;
    }
    if (cached) {
        auto valid = still_holds(lease, *cached, id, object_class);
        if (!valid) return std::unexpected(valid.error());
        if (*valid) return *cached;
    }
    auto found = find_objects(lease, object_class, id);
    if (!found) return std::unexpected(found.error().with_context(context));
    if (found->size() != 1) {
        return fail(found->empty() ? Errc::not_found : Errc::conflict,
                    context + ": the token holds " + std::to_string(found->size()) +
                        (object_class == CKO_PUBLIC_KEY ? " public" : " secret") + " keys with that CKA_ID");
    }
    std::lock_guard lock(keys_mutex_);
    objects_.insert_or_assign({object_class, id}, found->front());
    return found->front();
}

Result<std::size_t> Token::Impl::index(Lease& lease, const std::string& context) {
    CK_FUNCTION_LIST* functions = lease.functions();
    std::size_t indexed = 0;
    for (const CK_OBJECT_CLASS wanted : {CK_OBJECT_CLASS{CKO_PRIVATE_KEY}, CK_OBJECT_CLASS{CKO_PUBLIC_KEY}}) {
        CK_OBJECT_CLASS object_class = wanted;
        CK_ATTRIBUTE search[] = {attribute(CKA_CLASS, object_class)};
        std::vector<CK_OBJECT_HANDLE> handles;
        {
            CK_RV rv = lease.check(functions->C_FindObjectsInit(lease.handle(), search, std::size(search)));
            if (rv != CKR_OK) return std::unexpected(ck_error(context + ": C_FindObjectsInit", rv));
            struct Finish {
                Lease& lease;
                ~Finish() { static_cast<void>(lease.functions()->C_FindObjectsFinal(lease.handle())); }
            } finish{lease};
            for (;;) {
                std::vector<CK_OBJECT_HANDLE> batch(1024);
                CK_ULONG count = 0;
                rv = lease.check(functions->C_FindObjects(lease.handle(), batch.data(), batch.size(), &count));
                if (rv != CKR_OK) return std::unexpected(ck_error(context + ": C_FindObjects", rv));
                if (count == 0) break;
                handles.insert(handles.end(), batch.begin(), batch.begin() + static_cast<long>(count));
            }
        }
        // An id held by two objects of a class stays out of the index: its lookups search, and
        // report the ambiguity.
        std::map<KeyId, std::optional<CachedKey>> found;
        for (const CK_OBJECT_HANDLE handle : handles) {
            auto id = attribute_bytes(lease, handle, CKA_ID, "CKA_ID");
            if (!id) return std::unexpected(id.error().with_context(context));
            CK_ULONG type = 0;
            if (wanted == CKO_PRIVATE_KEY) {
                auto key_type = attribute_ulong(lease, handle, CKA_KEY_TYPE, "CKA_KEY_TYPE");
                if (!key_type) return std::unexpected(key_type.error().with_context(context));
                type = *key_type;
            }
            auto [at, inserted] = found.try_emplace(*id, CachedKey{handle, type});
            if (!inserted) at->second.reset();
        }
        for (const auto& [id, key] : found) {
            if (!key || id.empty()) continue;
            if (wanted == CKO_PRIVATE_KEY) {
                remember(id, *key);
            } else {
                std::lock_guard lock(keys_mutex_);
                objects_.insert_or_assign({CKO_PUBLIC_KEY, id}, key->handle);
            }
            ++indexed;
        }
    }
    return indexed;
}

Result<PublicKey> Token::public_key(const KeyId& id) {
    const std::string context = "reading the public " + impl_->key_name(id);
    if (id.empty()) return fail(Errc::bad_request, context + ": the key id (CKA_ID) is empty");
    return impl_->run(context, [&](Lease& lease) -> Result<PublicKey> {
        auto handle = impl_->object(lease, CKO_PUBLIC_KEY, id, context);
        if (!handle) return std::unexpected(handle.error());
        auto key = read_public_key(lease, *handle);
        if (!key) return std::unexpected(key.error().with_context(context));
        return key;
    });
}

Result<std::size_t> Token::index_keys() {
    const std::string context = "indexing the keys of token '" + impl_->name_ + "'";
    return impl_->run(context, [&](Lease& lease) { return impl_->index(lease, context); });
}

}  // namespace signet::hsm
