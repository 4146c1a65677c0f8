#pragma once
// What the DSS update and the signature list share: the document loaded by PoDoFo in place,
// PoDoFo's failures turned into one Errc::invalid_document sentence each, and references
// resolved. Internal to pdf/ltv (it includes PoDoFo, which only this module's sources see).

#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include <podofo/podofo.h>

#include "base/error.hpp"
#include "pdf/span_input_device.hpp"

namespace signet::pdf {

// Runs `work(PdfMemDocument&)` on `document`, loaded for an incremental update when
// `for_update`. `doing` completes "the document cannot be read to ..." ("list its signatures").
// std::invalid_argument from `work` is a sentence about the document, passed on as it is.
template <class T, class Work>
Result<T> with_loaded_document(std::span<const std::uint8_t> document, bool for_update, std::string_view doing,
                               Work&& work) {
    try {
        PoDoFo::PdfMemDocument loaded;
        loaded.LoadFromDevice(
            PoDoFo::PdfRefCountedInputDevice(std::make_unique<SpanInputDevice>(document).release()), for_update);
        return work(loaded);
    } catch (const PoDoFo::PdfError& error) {
        return fail(Errc::invalid_document, "the document cannot be read to " + std::string(doing) + " (" +
                                                PoDoFo::PdfError::ErrorName(error.GetError()) + ")");
    } catch (const std::invalid_argument& error) {
        return fail(Errc::invalid_document, error.what());
    } catch (const std::bad_alloc&) {
        return fail(Errc::invalid_document, "the document needs more memory than signet allows for one document");
    } catch (const std::exception&) {
        // PoDoFo lets standard exceptions through on damaged input; their text may quote it.
        return fail(Errc::invalid_document, "the document is damaged: signet cannot " + std::string(doing));
    }
}

// The object `object` refers to, or `object` itself when it is direct (or null).
inline PoDoFo::PdfObject* resolved(PoDoFo::PdfMemDocument& document, PoDoFo::PdfObject* object) {
    if (object != nullptr && object->IsReference()) return document.GetObjects().GetObject(object->GetReference());
    return object;
}

}  // namespace signet::pdf
