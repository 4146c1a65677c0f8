#include "pdf/incremental_update.hpp"

#include <openssl/evp.h>
#include <podofo/podofo.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "base/openssl_error.hpp"

namespace signet::pdf {

using namespace PoDoFo;

namespace {

// PdfVariant::SetDirty is protected, and the public SetDirty of PdfDictionary and PdfArray
// reaches neither the object's own flag nor scalar values. A pointer to the inherited member,
// named through a derived class, may be applied to any PdfVariant ([class.protected]).
struct DirtyFlag : PdfVariant {
    static void clear(PdfVariant& variant) {
        constexpr auto set_dirty = &DirtyFlag::SetDirty;
        (variant.*set_dirty)(false);
    }
};

// One row of the new cross-reference section.
struct Entry {
    std::size_t number = 0;
    std::size_t generation = 0;
    std::size_t offset = 0;  // absolute; for the free head entry, the next free object (0)
    bool in_use = true;
};

// ISO 32000-1 §7.5.4: object 0 heads the free list with generation 65535. Writers put it in
// every section; it lists no other free object, so the ones the file already has stay as the
// earlier sections say (an update that marked them free again would, for the object streams
// PoDoFo drops after reading them, hide every object inside).
constexpr Entry free_head{0, 65535, 0, false};

// Consecutive object numbers: the subsections of a table (§7.5.4), the /Index pairs of a
// stream (§7.5.8.2, Table 17).
std::vector<std::pair<std::size_t, std::size_t>> runs(const std::vector<Entry>& entries) {
    std::vector<std::pair<std::size_t, std::size_t>> result;
    for (const Entry& entry : entries) {
        if (!result.empty() && result.back().first + result.back().second == entry.number) {
            ++result.back().second;
        } else {
            result.emplace_back(entry.number, 1);
        }
    }
    return result;
}

void print(PdfOutputDevice& device, std::string_view text) {
    device.Write(text.data(), text.size());
}

// The trailer keys that an update carries over (§7.5.6: all of the previous trailer's but
// /Prev; /Encrypt cannot occur, prepare() refuses encrypted files; /XRefStm of a hybrid file
// names that file's own stream and stays with its section), with a new /Size, /Prev and /ID.
PdfDictionary trailer_keys(const PdfObject& trailer, std::size_t size, std::size_t previous,
                           const PdfString& new_id) {
    const PdfDictionary& old = trailer.GetDictionary();
    PdfDictionary keys;
    keys.AddKey(PdfName::KeySize, static_cast<pdf_int64>(size));
    for (const char* name : {"Root", "Info"}) {
        if (const PdfObject* value = old.GetKey(name); value != nullptr) keys.AddKey(name, *value);
    }
    // §14.4: the first identifier is the file's permanent one, the second changes with each
    // version. A file without one gets the new identifier as both.
    PdfArray id;
    const PdfObject* old_id = trailer.GetIndirectKey("ID");
    if (old_id != nullptr && old_id->IsArray() && !old_id->GetArray().empty() &&
        (old_id->GetArray()[0].IsString() || old_id->GetArray()[0].IsHexString())) {
        id.push_back(old_id->GetArray()[0]);
    } else {
        id.push_back(new_id);
    }
    id.push_back(new_id);
    keys.AddKey("ID", id);
    keys.AddKey("Prev", static_cast<pdf_int64>(previous));
    return keys;
}

// A classic table and trailer (§7.5.4, §7.5.5), as the previous section is one.
void write_table(PdfOutputDevice& device, std::size_t at, const std::vector<Entry>& entries,
                 const PdfDictionary& trailer, EPdfWriteMode mode) {
    std::string text = "xref\n";
    std::size_t next = 0;
    for (const auto& [first, count] : runs(entries)) {
        text += std::to_string(first) + " " + std::to_string(count) + "\n";
        for (std::size_t i = 0; i < count; ++i, ++next) {
            const Entry& entry = entries[next];
            // Exactly 20 bytes each: 10-digit offset, 5-digit generation, type, 2-byte EOL.
            // A file too large for 10 digits is refused with its ten-digit ByteRange.
            char row[21];
            std::snprintf(row, sizeof row, "%010zu %05zu %c \n", entry.offset, entry.generation,
                          entry.in_use ? 'n' : 'f');
            text.append(row, 20);
        }
    }
    text += "trailer\n";
    print(device, text);
    PdfObject(trailer).WriteObject(&device, mode, nullptr);
    print(device, "startxref\n" + std::to_string(at) + "\n%%EOF\n");
}

// Bytes needed for `value` in a big-endian field of a cross-reference stream row.
std::size_t width_of(std::size_t value) {
    std::size_t width = 1;
    while (width < sizeof value && (value >> (8 * width)) != 0) ++width;
    return width;
}

void put_big_endian(std::string& out, std::size_t value, std::size_t width) {
    for (std::size_t i = width; i-- > 0;)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

// An uncompressed cross-reference stream (§7.5.8), as the previous section is one: a reader
// that needs streams for the earlier sections handles this one too, and one that does not
// know them could not read the file anyway. It lists itself, object `number` at `at`.
void write_stream(PdfOutputDevice& device, std::size_t number, std::size_t at,
                  std::vector<Entry> entries, PdfDictionary dictionary, EPdfWriteMode mode) {
    entries.push_back(Entry{number, 0, at, true});
    // §7.5.8.3, Table 18: type 0 (free: next free object, generation) or 1 (offset,
    // generation). The offset field is as wide as the largest offset, this stream's own.
    const std::size_t offset_width = width_of(at);
    constexpr std::size_t generation_width = 2;
    std::string rows;
    for (const Entry& entry : entries) {
        rows.push_back(entry.in_use ? '\x01' : '\x00');
        put_big_endian(rows, entry.offset, offset_width);
        put_big_endian(rows, entry.generation, generation_width);
    }
    PdfArray index;
    for (const auto& [first, count] : runs(entries)) {
        index.push_back(static_cast<pdf_int64>(first));
        index.push_back(static_cast<pdf_int64>(count));
    }
    PdfArray widths;
    for (std::size_t width : {std::size_t{1}, offset_width, generation_width}) {
        widths.push_back(static_cast<pdf_int64>(width));
    }
    dictionary.AddKey(PdfName::KeyType, PdfName("XRef"));
    dictionary.AddKey("Index", index);
    dictionary.AddKey("W", widths);
    dictionary.AddKey(PdfName::KeyLength, static_cast<pdf_int64>(rows.size()));
    print(device, std::to_string(number) + " 0 obj\n");
    PdfObject(dictionary).WriteObject(&device, mode, nullptr);
    print(device, "stream\n");
    print(device, rows);
    print(device, "\nendstream\nendobj\nstartxref\n" + std::to_string(at) + "\n%%EOF\n");
}

}  // namespace

IncrementalUpdate::IncrementalUpdate(PdfMemDocument& document) : document_(document) {
    PdfVecObjects& objects = document_.GetObjects();
    for (PdfObject* object : objects) DirtyFlag::clear(*object);
    first_new_number_ = objects.GetObjectCount();
}

Result<std::vector<std::uint8_t>> IncrementalUpdate::write(std::span<const std::uint8_t> original,
                                                           const PreviousXref& previous) const {
    PdfVecObjects& objects = document_.GetObjects();
    const PdfObject& trailer = *document_.GetTrailer();
    const PdfObject* info_key = trailer.GetDictionary().GetKey("Info");
    const PdfObject* info = info_key != nullptr && info_key->IsReference()
                                ? objects.GetObject(info_key->GetReference())
                                : nullptr;

    std::vector<const PdfObject*> changed;
    for (const PdfObject* object : objects) {
        if (object->Reference().ObjectNumber() >= first_new_number_ || object == info ||
            object->IsDirty()) {
            changed.push_back(object);
        }
    }
    std::sort(changed.begin(), changed.end(), [](const PdfObject* a, const PdfObject* b) {
        return a->Reference() < b->Reference();
    });

    PdfRefCountedBuffer buffer;
    PdfOutputDevice device(&buffer);
    const EPdfWriteMode mode = document_.GetWriteMode();
    // The update starts on a line of its own: "%%EOF1 0 obj" would be one token.
    if (!original.empty() && original.back() != '\n' && original.back() != '\r')
        print(device, "\n");
    std::vector<Entry> entries{free_head};
    for (const PdfObject* object : changed) {
        entries.push_back(Entry{object->Reference().ObjectNumber(),
                                object->Reference().GenerationNumber(),
                                original.size() + device.Tell(), true});
        object->WriteObject(&device, mode, nullptr);
    }

    // §14.4 suggests MD5 over data that makes the identifier unique: this version's objects
    // hold its signing time and field name.
    std::array<unsigned char, 16> md5{};
    unsigned int md5_length = 0;
    if (EVP_Digest(buffer.GetBuffer(), device.Tell(), md5.data(), &md5_length, EVP_md5(),
                   nullptr) != 1 ||
        md5_length != md5.size()) {
        return openssl_failure(Errc::internal, "computing the document identifier");
    }
    const PdfString new_id(reinterpret_cast<const char*>(md5.data()),
                           static_cast<pdf_long>(md5.size()), true);
    // Every number in use is below PoDoFo's object count, and a section's /Size is never less
    // than the previous one's (§7.5.6).
    const std::size_t size =
        std::max<std::size_t>(objects.GetObjectCount(),
                              static_cast<std::size_t>(std::max<pdf_int64>(
                                  trailer.GetDictionary().GetKeyAsLong(PdfName::KeySize, 0), 0)));
    const std::size_t xref_at = original.size() + device.Tell();
    if (previous.is_stream) {
        // Its own object number is the first one nobody uses.
        write_stream(device, size, xref_at, std::move(entries),
                     trailer_keys(trailer, size + 1, previous.offset, new_id), mode);
    } else {
        write_table(device, xref_at, entries, trailer_keys(trailer, size, previous.offset, new_id),
                    mode);
    }
    const auto* begin = reinterpret_cast<const std::uint8_t*>(buffer.GetBuffer());
    return std::vector<std::uint8_t>(begin, begin + device.GetLength());
}

}  // namespace signet::pdf
