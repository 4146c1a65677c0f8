#include "hsm/token.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "hsm/token/token_internal.hpp"
#include "hsm/uri.hpp"

namespace signet::hsm {

using namespace detail;  // the pieces token_internal.hpp shares between these files

namespace {

constexpr std::size_t label_size = 32;  // CK_TOKEN_INFO.label (§3.2)

// CK_TOKEN_INFO's text fields are blank padded and not NUL terminated (§3.2); a few modules pad
// with NUL instead, so both are stripped.
template <std::size_t N>
std::string unpad(const unsigned char (&field)[N]) {
    std::string text(reinterpret_cast<const char*>(field), N);
    const std::size_t end = text.find_last_not_of(std::string_view(" \0", 2));
    text.erase(end == std::string::npos ? 0 : end + 1);
    return text;
}

// How a token argument appears in messages: a URI loses its query, which may carry a pin-value.
std::string shown(std::string_view token) {
    return std::string(is_pkcs11_uri(token) ? token.substr(0, token.find('?')) : token);
}

Result<std::vector<CK_SLOT_ID>> slot_list(CK_FUNCTION_LIST* functions, CK_BBOOL token_present) {
    // §5.5 C_GetSlotList with the §5.2 length query. The list may grow between the two calls (a
    // token inserted; SoftHSM adds a fresh slot after C_InitToken): CKR_BUFFER_TOO_SMALL, retry.
    for (int attempt = 0; attempt < 8; ++attempt) {
        CK_ULONG count = 0;
        CK_RV rv = functions->C_GetSlotList(token_present, nullptr, &count);
        if (rv != CKR_OK) return std::unexpected(ck_error("listing PKCS#11 slots", rv));
        std::vector<CK_SLOT_ID> slots(count);
        rv = functions->C_GetSlotList(token_present, slots.data(), &count);
        if (rv == CKR_BUFFER_TOO_SMALL) continue;
        if (rv != CKR_OK) return std::unexpected(ck_error("listing PKCS#11 slots", rv));
        slots.resize(count);
        return slots;
    }
    return fail(Errc::unavailable, "listing PKCS#11 slots: the slot list keeps changing");
}

// Every slot that holds a token, with the token's identification (§5.5 C_GetTokenInfo).
Result<std::vector<TokenDescription>> present_tokens(CK_FUNCTION_LIST* functions) {
    auto slots = slot_list(functions, CK_TRUE);
    if (!slots) return std::unexpected(slots.error());
    std::vector<TokenDescription> tokens;
    for (const CK_SLOT_ID slot : *slots) {
        CK_TOKEN_INFO info{};
        const CK_RV rv = functions->C_GetTokenInfo(slot, &info);
        // Removed since the slot list was read: not a token we can use, not an error.
        if (rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_SLOT_ID_INVALID) continue;
        if (rv != CKR_OK) {
            return std::unexpected(
                ck_error("reading the token of slot " + std::to_string(slot), rv));
        }
        tokens.push_back(TokenDescription{slot, (info.flags & CKF_TOKEN_INITIALIZED) != 0,
                                          unpad(info.label), unpad(info.manufacturerID),
                                          unpad(info.serialNumber), unpad(info.model)});
    }
    return tokens;
}

std::string describe(const std::vector<TokenDescription>& tokens) {
    std::string text;
    for (const auto& token : tokens) {
        if (!text.empty()) text += ", ";
        text += "'" + token.label + "' (serial " + token.serial + ")";
    }
    return text.empty() ? "none" : text;
}

}  // namespace

namespace detail {

std::string hex(std::span<const std::uint8_t> bytes) {
    constexpr char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(bytes.size() * 2);
    for (const std::uint8_t byte : bytes) {
        text.push_back(digits[byte >> 4U]);
        text.push_back(digits[byte & 0xFU]);
    }
    return text;
}

CK_UTF8CHAR* pin_bytes(const Secret& pin) {
    return reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(pin.reveal().data()));
}

Result<TokenDescription> find_token(CK_FUNCTION_LIST* functions, const TokenUri& selector,
                                    const std::string& context) {
    auto tokens = present_tokens(functions);
    if (!tokens) return std::unexpected(tokens.error().with_context(context));
    std::vector<TokenDescription> matching;
    for (const auto& candidate : *tokens) {
        // An uninitialised token (SoftHSM always offers one) has no keys and cannot log in.
        if (candidate.initialised && selector.matches(candidate.label, candidate.manufacturer,
                                                      candidate.serial, candidate.model)) {
            matching.push_back(candidate);
        }
    }
    if (matching.empty()) {
        std::erase_if(*tokens, [](const auto& candidate) { return !candidate.initialised; });
        return fail(Errc::not_found, context + ": no such token in the PKCS#11 module (tokens: " +
                                         describe(*tokens) + ")");
    }
    if (matching.size() > 1) {
        return fail(Errc::conflict, context + ": " + std::to_string(matching.size()) +
                                        " tokens match (" + describe(matching) +
                                        "); name one with a pkcs11: URI with serial=");
    }
    return matching.front();
}

}  // namespace detail

Token::Impl::Impl(std::shared_ptr<Module> module, std::string name, TokenUri selector,
                  PinSource pin_source, unsigned max_sessions, CK_SLOT_ID slot, Session first,
                  bool logged_in)
    : module_(std::move(module)),
      name_(std::move(name)),
      selector_(std::move(selector)),
      pin_source_(std::move(pin_source)),
      max_sessions_(max_sessions),
      slot_(slot),
      pool_(std::make_unique<SessionPool>(module_->functions(), slot, max_sessions, std::move(first))),
      generation_(module_->generation()),
      logged_in_(logged_in),
      recovery_([this](std::stop_token stop) { recover_with_backoff(stop); }) {}

std::string Token::Impl::key_name(const KeyId& id) const {
    return "key " + hex(id) + " in token '" + name_ + "'";
}

Token::Token(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Token::~Token() {
    if (!impl_) return;
    // The thread may be in recover(); it finishes that first.
    impl_->recovery_.request_stop();
    impl_->recovery_.join();
    auto shared = impl_->module_->share();
    if (!impl_->pool_) return;
    if (impl_->module_->generation() != impl_->generation_) {
        impl_->pool_->abandon_idle();
    } else if (impl_->logged_in_) {
        // §5.6 C_Logout before the pool closes the sessions; the result cannot be acted on here.
        if (auto lease = impl_->pool_->acquire()) {
            static_cast<void>(lease->functions()->C_Logout(lease->handle()));
        }
    }
    impl_->pool_.reset();  // closes the sessions while the module is shared
}

Result<std::unique_ptr<Token>> Token::open(std::shared_ptr<Module> module, std::string_view token,
                                           const Secret& pin, unsigned max_sessions) {
    if (pin.empty()) return fail(Errc::bad_request, "opening token '" + shown(token) + "': the PIN is empty");
    // The PIN is read once, for this login, and not kept for another: the source hands its copy
    // over (a moved-from Secret is wiped) and has nothing left after that.
    auto once = std::make_shared<Secret>(std::string(pin.reveal()));
    return open(std::move(module), token,
                [once]() -> Result<Secret> {
                    if (once->empty()) {
                        return fail(Errc::unavailable,
                                    "this Token was opened with a PIN it did not keep; open it with a PinSource to "
                                    "let it log in again");
                    }
                    return std::move(*once);
                },
                max_sessions);
}

Result<std::unique_ptr<Token>> Token::open(std::shared_ptr<Module> module, std::string_view token,
                                           PinSource pin_source, unsigned max_sessions) {
    const std::string context = "opening token '" + shown(token) + "'";
    if (!module) return fail(Errc::internal, context + ": no PKCS#11 module");
    if (max_sessions == 0) {
        return fail(Errc::bad_request, context + ": max_sessions must be at least 1");
    }
    if (!pin_source) return fail(Errc::internal, context + ": no PIN source");

    TokenUri selector;
    if (is_pkcs11_uri(token)) {
        auto parsed = parse_token_uri(token);
        if (!parsed) return std::unexpected(parsed.error().with_context(context));
        selector = std::move(*parsed);
    } else {
        if (token.empty() || token.size() > label_size) {
            return fail(Errc::bad_request, context + ": a token label has 1 to 32 bytes (§3.2)");
        }
        selector.token = std::string(token);
    }

    CK_FUNCTION_LIST* functions = module->functions();
    auto shared = module->share();
    auto chosen = find_token(functions, selector, context);
    if (!chosen) return std::unexpected(chosen.error());

    auto session = Session::open(functions, chosen->slot);
    if (!session) return std::unexpected(session.error().with_context(context));
    CK_RV rv = CKR_OK;
    {
        auto pin = pin_source();
        if (!pin) return std::unexpected(pin.error().with_context(context + ": reading the PIN"));
        if (pin->empty()) return fail(Errc::bad_request, context + ": the PIN is empty");
        // §5.6 C_Login: the login holds for every session of this application with the token,
        // including those the pool opens later. CKR_USER_ALREADY_LOGGED_IN means another Token of
        // this process logged in already; that Token then owns the logout. The PIN is wiped at
        // the end of this block.
        rv = functions->C_Login(session->handle(), CKU_USER, pin_bytes(*pin), pin->size());
    }
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        return std::unexpected(ck_error(context + ": logging in", rv));
    }
    auto impl = std::make_unique<Impl>(std::move(module), chosen->label, std::move(selector), std::move(pin_source),
                                       max_sessions, chosen->slot, std::move(*session), rv == CKR_OK);
    // The constructor is private so that every Token is open and logged in; the new'd object is
    // owned at once (Tink's WrapUnique idiom).
    return std::unique_ptr<Token>(new Token(std::move(impl)));
}

Status Token::initialise(Module& module, std::string_view label, const Secret& so_pin,
                         const Secret& user_pin) {
    const std::string context = "initialising token '" + std::string(label) + "'";
    if (label.empty() || label.size() > label_size || label.back() == ' ') {
        // A trailing space would vanish in the blank padding of CK_TOKEN_INFO.label (§3.2).
        return fail(Errc::bad_request,
                    context + ": a token label has 1 to 32 bytes and does not end with a space");
    }
    if (is_pkcs11_uri(label)) {
        return fail(Errc::bad_request, context +
                                           ": a label starting with \"pkcs11:\" could not "
                                           "be opened by label");
    }
    if (so_pin.empty() || user_pin.empty()) {
        return fail(Errc::bad_request, context + ": the SO PIN and the user PIN must not be empty");
    }
    CK_FUNCTION_LIST* functions = module.functions();
    auto shared = module.share();

    auto slots = slot_list(functions, CK_FALSE);
    if (!slots) return std::unexpected(slots.error().with_context(context));
    std::optional<CK_SLOT_ID> free_slot;
    for (const CK_SLOT_ID slot : *slots) {
        CK_SLOT_INFO slot_info{};
        CK_RV rv = functions->C_GetSlotInfo(slot, &slot_info);
        if (rv != CKR_OK) {
            return std::unexpected(
                ck_error(context + ": reading slot " + std::to_string(slot), rv));
        }
        if ((slot_info.flags & CKF_TOKEN_PRESENT) == 0) continue;
        CK_TOKEN_INFO info{};
        rv = functions->C_GetTokenInfo(slot, &info);
        if (rv == CKR_TOKEN_NOT_PRESENT) continue;
        if (rv != CKR_OK) {
            return std::unexpected(
                ck_error(context + ": reading the token of slot " + std::to_string(slot), rv));
        }
        if ((info.flags & CKF_TOKEN_INITIALIZED) != 0) {
            if (unpad(info.label) == label) {
                return fail(Errc::conflict, context + ": a token with this label already exists");
            }
        } else if (!free_slot) {
            free_slot = slot;
        }
    }
    if (!free_slot) {
        return fail(Errc::unavailable, context + ": no slot holds an uninitialised token");
    }

    // §5.5 C_InitToken: the label is exactly 32 bytes, blank padded.
    std::array<CK_UTF8CHAR, label_size> padded{};
    padded.fill(' ');
    std::copy(label.begin(), label.end(), padded.begin());
    CK_RV rv = functions->C_InitToken(*free_slot, pin_bytes(so_pin), so_pin.size(), padded.data());
    if (rv != CKR_OK) return std::unexpected(ck_error(context + ": C_InitToken", rv));

    // SoftHSM gives the new token another slot id (and adds a fresh empty slot), so the token is
    // found again by its label rather than by the slot it was made in.
    auto tokens = present_tokens(functions);
    if (!tokens) return std::unexpected(tokens.error().with_context(context));
    const auto made = std::find_if(tokens->begin(), tokens->end(), [&](const auto& candidate) {
        return candidate.initialised && candidate.label == label;
    });
    if (made == tokens->end()) {
        return fail(Errc::internal, context + ": the token is not found after C_InitToken");
    }

    auto session = Session::open(functions, made->slot);
    if (!session) return std::unexpected(session.error().with_context(context));
    rv = functions->C_Login(session->handle(), CKU_SO, pin_bytes(so_pin), so_pin.size());
    if (rv != CKR_OK) return std::unexpected(ck_error(context + ": logging in as SO", rv));
    // §5.5 C_InitPIN sets the user PIN; it needs the SO logged in on a R/W session.
    rv = functions->C_InitPIN(session->handle(), pin_bytes(user_pin), user_pin.size());
    const CK_RV logout = functions->C_Logout(session->handle());
    if (rv != CKR_OK) return std::unexpected(ck_error(context + ": C_InitPIN", rv));
    if (logout != CKR_OK) {
        return std::unexpected(ck_error(context + ": logging the SO out", logout));
    }
    return {};
}

}  // namespace signet::hsm
