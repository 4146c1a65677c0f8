#pragma once
// The incremental update of ISO 32000-1 §7.5.6, written by signet after PoDoFo made the
// changes in memory: the objects that changed or are new, each serialised by PoDoFo
// (PdfObject::WriteObject), then a cross-reference section of the kind the file already uses
// that chains to the previous one with /Prev. PoDoFo 0.9.8's own WriteUpdate copies the whole
// file first, and for files with cross-reference streams or linearization writes a full table
// without /Prev and re-emits every object that came from an object stream (NOTES trap 5).
//
// What changed is PoDoFo's dirty state, with what the load itself did forgotten: PoDoFo
// creates every object it reads from an object stream dirty, so right after the load every
// object is marked clean, and what PoDoFo changes from then on is dirty again.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "pdf/previous_xref.hpp"
#include "base/error.hpp"

namespace PoDoFo {
class PdfMemDocument;
}

namespace signet::pdf {

class IncrementalUpdate {
public:
    // Call right after PdfMemDocument::LoadFromDevice(..., true) and before any change: marks
    // every loaded object unchanged, and notes the first object number that the document's
    // changes will allocate (PoDoFo numbers new objects after every existing one when a
    // document is loaded for update).
    explicit IncrementalUpdate(PoDoFo::PdfMemDocument& document);

    // The bytes to append to `original`, the file `document` was loaded from: the dirty and
    // new objects, the Info dictionary (PoDoFo created it at load if the file had none, and
    // rewrote its /ModDate otherwise: NOTES trap 8), then a table + trailer when `previous`
    // is a table, or a cross-reference stream when it is a stream, and startxref. Offsets are
    // absolute, as the update only ever sits right after `original`. PoDoFo's failures are
    // its PoDoFo::PdfError exceptions.
    Result<std::vector<std::uint8_t>> write(std::span<const std::uint8_t> original,
                                            const PreviousXref& previous) const;

private:
    PoDoFo::PdfMemDocument& document_;
    std::size_t first_new_number_ = 0;
};

}  // namespace signet::pdf
