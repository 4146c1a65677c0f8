// prepare(): the PoDoFo half of a PAdES signature (ETSI EN 319 142-1 §5, ISO 32000-1 §12.8).
// Every PoDoFo call here may throw PoDoFo::PdfError; they are caught in prepare() and become
// Errc::invalid_document with a sentence for a person (STYLE.md §2). Damaged input reaches
// code paths of PoDoFo 0.9.8 that dereference NULL (NOTES trap 7), so the known ones are checked
// before PoDoFo gets there. The document is parsed in a worker process (DESIGN.md), which is
// what contains the crashes nobody has found yet.

#include "pdf/prepare.hpp"

#include <podofo/podofo.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>
#include <set>
#include <string_view>
#include <system_error>

#include "pdf/form/appearance.hpp"
#include "pdf/form/page_box.hpp"
#include "pdf/form/signature_fields.hpp"
#include "pdf/byte_range.hpp"
#include "pdf/incremental_update.hpp"
#include "pdf/previous_xref.hpp"
#include "pdf/span_input_device.hpp"
#include "pdf/form/text.hpp"

namespace signet::pdf {

using namespace PoDoFo;  // this file is PoDoFo and little else

namespace {

// 1 MiB of DER (2 MiB of hex) is far beyond any certificate chain plus timestamps; anything
// larger is a caller's mistake that would only cost memory.
constexpr std::size_t max_contents_size = std::size_t{1} << 20;

// What prepare() was doing when PoDoFo threw: the same error code means different things to a
// person while loading and while writing.
enum class Stage { loading, reading_pages, adding_field, painting, writing };

// PoDoFo's explanations quote bytes of the document ("Unable to find object 12 0: en\x9cobj"):
// printable ASCII only, and not too much of it, so that the message stays valid UTF-8 for the
// JSON error body and cannot smuggle control characters into logs.
std::string printable(std::string_view text) {
    constexpr std::size_t max_length = 300;
    std::string out;
    for (char c : text.substr(0, max_length)) {
        out.push_back(c >= 0x20 && c < 0x7F ? c : '?');
    }
    if (text.size() > max_length) out += "...";
    return out;
}

// "ePdfError_NoXRef: EOF marker could not be found" — PoDoFo's name for the error and the
// innermost explanations it recorded, for the person who has to look at the file.
std::string podofo_detail(const PdfError& error) {
    std::string detail = PdfError::ErrorName(error.GetError());
    std::string infos;
    for (const auto& info : error.GetCallstack()) {
        const std::string& text = info.GetInformation();
        // PoDoFo's own breadcrumb, not an explanation.
        if (text.empty() || text == "Handler fixes issue #49") continue;
        infos += (infos.empty() ? "" : "; ") + text;
    }
    return printable(infos.empty() ? detail : detail + ": " + infos);
}

bool mentions_encryption(const PdfError& error) {
    for (const auto& info : error.GetCallstack()) {
        const std::string& text = info.GetInformation();
        if (text.find("ncrypt") != std::string::npos || text.find("assword") != std::string::npos) {
            return true;
        }
    }
    return false;
}

const char* encrypted_sentence() {
    return "the document is encrypted; signet cannot sign encrypted PDFs";
}

std::string describe(const PdfError& error, Stage stage) {
    const EPdfError code = error.GetError();
    std::string sentence;
    if (code == ePdfError_InvalidPassword || code == ePdfError_CannotEncryptedForUpdate ||
        code == ePdfError_InvalidEncryptionDict || mentions_encryption(error)) {
        // PoDoFo 0.9.8 cannot update encrypted files at all, and without OpenSSL's legacy
        // provider it fails on RC4/AES-128 ones with "Error initializing RC4 encryption
        // engine" (NOTES trap 6): all of these are "encrypted" to a person.
        sentence = encrypted_sentence();
    } else if (stage == Stage::loading) {
        switch (code) {
            case ePdfError_NoPdfFile:
                sentence = "the document is not a PDF";
                break;
            case ePdfError_NoEOFToken:
            case ePdfError_NoXRef:
            case ePdfError_InvalidXRef:
            case ePdfError_InvalidXRefStream:
            case ePdfError_InvalidXRefType:
            case ePdfError_NoTrailer:
            case ePdfError_InvalidTrailerSize:
            case ePdfError_UnexpectedEOF:
            case ePdfError_InvalidStreamLength:
            case ePdfError_MissingEndStream:
                sentence = "the document is truncated or its cross-reference table is damaged";
                break;
            default:
                sentence = "the document is damaged and cannot be read";
                break;
        }
    } else if (stage == Stage::reading_pages) {
        sentence = "the document's page tree is damaged";
    } else if (stage == Stage::painting) {
        sentence = "the visible signature cannot be drawn on this document";
    } else {
        sentence = "the document's structure is damaged; a signature cannot be added to it";
    }
    return sentence + " (PoDoFo: " + podofo_detail(error) + ")";
}

// Checks that do not need the document. A malformed box is the request's fault (400), not the
// document's.
Status check_request(const PrepareRequest& request) {
    if (request.contents_size == 0 || request.contents_size > max_contents_size) {
        return fail(Errc::internal, "the signature placeholder size " +
                                        std::to_string(request.contents_size) + " is outside 1.." +
                                        std::to_string(max_contents_size));
    }
    if (!is_valid_utf8(request.reason)) {
        return fail(Errc::bad_request, "the signature reason is not valid UTF-8");
    }
    if (request.document_timestamp && (request.appearance || !request.reason.empty())) {
        return fail(Errc::bad_request, "a document time-stamp has no appearance and no reason");
    }
    if (!request.appearance) return {};
    const Appearance& appearance = *request.appearance;
    if (!appearance.field.empty()) return {};  // the field has its page and rectangle
    if (appearance.page < 1) {
        return fail(Errc::bad_request, "the appearance page must be 1 or more, not " +
                                           std::to_string(appearance.page));
    }
    const auto& r = appearance.rect;
    for (double value : r) {
        if (!std::isfinite(value)) {
            return fail(Errc::bad_request, "the appearance rectangle has a non-finite coordinate");
        }
    }
    if (!(r[0] < r[2]) || !(r[1] < r[3])) {
        return fail(Errc::bad_request,
                    "the appearance rectangle must be [x1, y1, x2, y2] with x1 < x2 and y1 < y2");
    }
    return {};
}

// ISO 32000-1 §7.5.2: the file starts with "%PDF-". PoDoFo says the same, less clearly, and
// after it spent time on the file.
Status check_header(std::span<const std::uint8_t> input) {
    constexpr std::string_view magic = "%PDF-";
    if (input.size() < magic.size() ||
        std::string_view(reinterpret_cast<const char*>(input.data()), magic.size()) != magic) {
        return fail(Errc::invalid_document, "the document is not a PDF (it does not start with %PDF-)");
    }
    return {};
}

Result<std::vector<std::uint8_t>> read_document(const std::filesystem::path& input) {
    std::ifstream in(input, std::ios::binary);
    if (!in) {
        return fail(Errc::internal, "cannot open the document " + input.string() + ": " +
                                        std::generic_category().message(errno));
    }
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return fail(Errc::internal, "cannot read the document " + input.string());
    return bytes;
}

PdfString pdf_text(const std::string& utf8) {
    return PdfString(reinterpret_cast<const pdf_utf8*>(utf8.c_str()));
}

// The incremental update (ISO 32000-1 §7.5.6): the changed objects and a new section, with the
// placeholder's position.
Result<PreparedDocument> write_prepared(const IncrementalUpdate& update, std::span<const std::uint8_t> input,
                                        const PreviousXref& previous, const PrepareRequest& request, Stage& stage) {
    stage = Stage::writing;
    PreparedDocument prepared;
    prepared.original_size = input.size();
    SIGNET_TRY(prepared.update, update.write(input, previous));
    Placeholder placeholder;
    SIGNET_TRY(placeholder, patch_byte_range(prepared.update, input.size(), request.contents_size));
    prepared.byte_range = placeholder.byte_range;
    prepared.contents_offset = placeholder.contents_offset;
    prepared.contents_size = placeholder.contents_size;
    return prepared;
}

// The section an update of `document` chains to, once we know PoDoFo can write one.
Result<PreviousXref> checked_for_update(PdfMemDocument& document, std::span<const std::uint8_t> input) {
    // NOTES trap 6: PoDoFo cannot write an update of an encrypted file.
    if (document.GetEncrypted() ||
        (document.GetTrailer() != nullptr && document.GetTrailer()->IsDictionary() &&
         document.GetTrailer()->GetDictionary().HasKey("Encrypt"))) {
        return fail(Errc::invalid_document, encrypted_sentence());
    }
    // Checked before any work on the document.
    return find_previous_xref(input);
}

Result<PreparedDocument> prepare_loaded(PdfMemDocument& document, const IncrementalUpdate& update,
                                        std::span<const std::uint8_t> input,
                                        const PrepareRequest& request, Stage& stage) {
    PreviousXref previous;
    SIGNET_TRY(previous, checked_for_update(document, input));

    stage = Stage::adding_field;
    auto form = prepare_acroform(document, 3);
    if (!form) return std::unexpected(form.error());
    std::unique_ptr<PdfAnnotation> filled_widget;  // a prepared field's, which `field` points to
    std::unique_ptr<PdfSignatureField> field;
    Rect rect{};
    PageBox box;
    if (request.appearance && !request.appearance->field.empty()) {
        auto empty = find_empty_field(document, **form, request.appearance->field, request.appearance->signer);
        if (!empty) return std::unexpected(empty.error());
        filled_widget = std::move(empty->widget);
        field = std::make_unique<PdfSignatureField>(filled_widget.get());
        field->EnsureSignatureObject();  // its /V, which a field made empty has not
        rect = empty->rect;
        box = empty->box;
    } else {
        stage = Stage::reading_pages;
        const int page_number = request.appearance ? request.appearance->page : 1;
        auto page = find_page(document, page_number);
        if (!page) return std::unexpected(page.error());
        SIGNET_TRY(box, page_box(**page));
        if (request.appearance) {
            rect = request.appearance->rect;
            SIGNET_CHECK(check_rect(box, rect, page_number, "the appearance rectangle"));
        }
        stage = Stage::adding_field;
        // An invisible signature is a widget with a zero rectangle on page 1 (ISO 32000-1
        // §12.7.4.5); a visible one covers the requested box.
        PdfAnnotation* widget =
            (*page)->CreateAnnotation(ePdfAnnotation_Widget, PdfRect(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1]));
        if (widget == nullptr) {
            return fail(Errc::invalid_document, "the signature widget cannot be added to page " + std::to_string(page_number));
        }
        widget->SetFlags(ePdfAnnotationFlags_Print);
        field = std::make_unique<PdfSignatureField>(widget, *form, &document);
        field->SetFieldName(PdfString(unique_field_name(field_names(document, **form))));
    }

    // A prepared field of no area is an invisible signature's: it gets no box.
    if (request.appearance && rect[0] < rect[2] && rect[1] < rect[3]) {
        stage = Stage::painting;
        std::shared_ptr<const image::LogoImage> logo = request.appearance->logo;
        if (!logo && request.appearance->logo_file) {
            auto decoded = image::decode_logo(*request.appearance->logo_file);
            if (!decoded) return std::unexpected(decoded.error());
            logo = std::make_shared<const image::LogoImage>(std::move(*decoded));
        }
        SIGNET_CHECK(paint_appearance(document, *field, rect, box.rotation, {request.appearance->lines, logo.get()}));
        stage = Stage::adding_field;
    }

    // The signature dictionary (ISO 32000-1 §12.8.1, Table 252; ETSI EN 319 142-1 §5.3).
    // SetSignature writes /ByteRange [ 0 1234567890 1234567890 1234567890] and
    // /Contents <00..00>; nothing we add sorts between the two (NOTES trap 3).
    const std::string zeros(2 * request.contents_size, '0');
    field->SetSignature(PdfData(zeros.data(), zeros.size()));
    PdfObject* signature = field->GetSignatureObject();
    if (signature == nullptr || !signature->IsDictionary()) {
        return fail(Errc::internal, "PoDoFo made no signature dictionary");
    }
    PdfDictionary& dictionary = signature->GetDictionary();
    dictionary.AddKey(PdfName::KeyFilter, PdfName("Adobe.PPKLite"));
    if (request.document_timestamp) {
        // ISO 32000-2 Table 255 and ETSI EN 319 142-1 §5.5: the token is the whole /Contents.
        dictionary.AddKey(PdfName::KeyType, PdfName("DocTimeStamp"));
        dictionary.AddKey("SubFilter", PdfName("ETSI.RFC3161"));
        return write_prepared(update, input, previous, request, stage);
    }
    // NOTES trap 2: PoDoFo hard-codes adbe.pkcs7.detached; PAdES baseline is
    // ETSI.CAdES.detached (ETSI EN 319 142-1 §6.2.1).
    dictionary.AddKey("SubFilter", PdfName("ETSI.CAdES.detached"));
    // ETSI EN 319 142-1 §5.3: the signing time is /M, not a CMS signing-time attribute.
    auto date = pdf_date(request.signing_time);
    if (!date) return std::unexpected(date.error());
    dictionary.AddKey("M", PdfString(*date));
    if (!request.reason.empty()) dictionary.AddKey("Reason", pdf_text(request.reason));
    return write_prepared(update, input, previous, request, stage);
}

// Loads `input` for an incremental update and runs `work(document, update, stage)`, turning
// what PoDoFo throws into Errc::invalid_document with a sentence for a person.
template <class T, class Work>
Result<T> with_update(std::span<const std::uint8_t> input, Work&& work) {
    // PoDoFo writes its debug and log messages (parts of the document among them) to the
    // process's standard streams; the daemon's log must not carry document contents.
    static const bool silenced = [] {
        PdfError::EnableDebug(false);
        PdfError::EnableLogging(false);
        return true;
    }();
    (void)silenced;
    Stage stage = Stage::loading;
    try {
        PdfMemDocument document;
        // For update: PoDoFo then numbers new objects after every existing one and reuses no
        // free number (an object stream it dropped after reading it is one). The device reads
        // `input` in place; PoDoFo owns it and reads objects from it on demand until
        // `document` goes.
        document.LoadFromDevice(PdfRefCountedInputDevice(std::make_unique<SpanInputDevice>(input).release()), true);
        const IncrementalUpdate update(document);
        return work(document, update, stage);
    } catch (const PdfError& error) {
        return fail(Errc::invalid_document, describe(error, stage));
    } catch (const std::bad_alloc&) {
        // In a worker the address space is capped ([limits] pdf_worker_memory_mib): a document
        // that needs more is refused like one that needs too much CPU.
        return fail(Errc::invalid_document, "the document needs more memory than signet allows for one document");
    } catch (const std::exception& error) {
        // PoDoFo also lets standard exceptions through (std::out_of_range from its containers
        // on damaged input).
        return fail(Errc::invalid_document,
                    "the document is damaged and cannot be processed (" + printable(error.what()) + ")");
    }
}

}  // namespace

Result<PreparedDocument> prepare(const std::filesystem::path& input, const PrepareRequest& request) {
    auto bytes = read_document(input);
    if (!bytes) return std::unexpected(bytes.error());
    return prepare(*bytes, request);
}

Result<PreparedDocument> prepare(std::span<const std::uint8_t> input, const PrepareRequest& request) {
    PreparedDocument prepared;
    SIGNET_TRY(prepared, prepare_update(input, request));
    SIGNET_TRY(prepared.digest, byte_range_digest(input, prepared.update, prepared.byte_range));
    return prepared;
}

Result<PreparedDocument> prepare_update(std::span<const std::uint8_t> input,
                                        const PrepareRequest& request) {
    if (auto ok = check_request(request); !ok) return std::unexpected(ok.error());
    if (auto header = check_header(input); !header) return std::unexpected(header.error());

    return with_update<PreparedDocument>(input, [&](PdfMemDocument& document, const IncrementalUpdate& update, Stage& stage) {
        return prepare_loaded(document, update, input, request, stage);
    });
}

Result<std::vector<std::uint8_t>> add_signature_fields(std::span<const std::uint8_t> input,
                                                       const std::vector<FieldRequest>& fields) {
    if (fields.empty()) return fail(Errc::bad_request, "there are no fields to add");
    if (auto header = check_header(input); !header) return std::unexpected(header.error());
    using Update = std::vector<std::uint8_t>;
    return with_update<Update>(input, [&](PdfMemDocument& document, const IncrementalUpdate& update,
                                          Stage& stage) -> Result<Update> {
        PreviousXref previous;
        SIGNET_TRY(previous, checked_for_update(document, input));
        SIGNET_CHECK(check_fields_may_be_added(document));
        stage = Stage::adding_field;
        auto form = prepare_acroform(document, 1);
        if (!form) return std::unexpected(form.error());
        std::set<std::string> names = field_names(document, **form);
        for (const FieldRequest& request : fields) {
            const std::string what = "field " + request.name;
            if (!names.insert(request.name).second) {
                return fail(Errc::invalid_document, "the document has a field named " + request.name + " already");
            }
            stage = Stage::reading_pages;
            auto page = find_page(document, request.page);
            if (!page) return fail(Errc::invalid_document, what + ": " + page.error().message);
            PageBox box;
            SIGNET_TRY(box, page_box(**page));
            SIGNET_CHECK(check_rect(box, request.rect, request.page, what + ": its rectangle"));
            stage = Stage::adding_field;
            const Rect& r = request.rect;
            PdfAnnotation* widget =
                (*page)->CreateAnnotation(ePdfAnnotation_Widget, PdfRect(r[0], r[1], r[2] - r[0], r[3] - r[1]));
            if (widget == nullptr) return fail(Errc::invalid_document, what + " cannot be added to its page");
            widget->SetFlags(ePdfAnnotationFlags_Print);
            // No /V: the field waits for its signature (ISO 32000-1 §12.7.4.5).
            PdfSignatureField field(widget, *form, &document, false);
            field.SetFieldName(PdfString(request.name));
            if (!request.signer.empty()) widget->GetObject()->GetDictionary().AddKey(signer_key, pdf_text(request.signer));
            stage = Stage::painting;
            paint_empty_appearance(document, field, r, box.rotation);
        }
        stage = Stage::writing;
        return update.write(input, previous);
    });
}

// Embedding the CMS is a byte patch of the placeholder that prepare() reserved (DESIGN.md: the
// daemon never parses a PDF). The ByteRange already excludes the whole <...>, so the digest
// that was signed stays true whatever goes inside.
Status embed(PreparedDocument& document, std::span<const std::uint8_t> cms) {
    if (cms.size() > document.contents_size) {
        return fail(Errc::internal, "the signature (" + std::to_string(cms.size()) +
                                        " bytes) does not fit the reserved " +
                                        std::to_string(document.contents_size) + " bytes");
    }
    const std::size_t digits = 2 * document.contents_size;
    std::vector<std::uint8_t>& update = document.update;
    // The placeholder lies in the update, which follows the original in the signed file.
    if (document.contents_offset <= document.original_size ||
        document.contents_offset - document.original_size > update.size() ||
        digits >= update.size() - (document.contents_offset - document.original_size)) {
        return fail(Errc::internal, "the signature placeholder lies outside the update");
    }
    const std::size_t at = document.contents_offset - document.original_size;
    if (update[at - 1] != '<' || update[at + digits] != '>') {
        return fail(Errc::internal, "the signature placeholder is not where the document says");
    }
    // The rest of the placeholder is '0' (rewritten, so a second embed leaves no tail of the
    // first): the DER's own length tells a reader where the CMS ends, and ISO 32000-1 §12.8.1
    // lets the zero padding stand.
    static constexpr char hex[] = "0123456789ABCDEF";
    std::uint8_t* out = update.data() + at;
    std::uint8_t* const end = out + digits;
    for (std::uint8_t byte : cms) {
        *out++ = static_cast<std::uint8_t>(hex[byte >> 4]);
        *out++ = static_cast<std::uint8_t>(hex[byte & 0x0F]);
    }
    std::fill(out, end, static_cast<std::uint8_t>('0'));
    return {};
}

Result<std::vector<std::uint8_t>> signed_file(std::vector<std::uint8_t> original, PreparedDocument prepared,
                                              std::span<const std::uint8_t> cms) {
    SIGNET_CHECK(embed(prepared, cms));
    if (original.size() != prepared.original_size) {
        return fail(Errc::internal, "the signed update was prepared for another document");
    }
    original.insert(original.end(), prepared.update.begin(), prepared.update.end());
    return original;
}

}  // namespace signet::pdf
