//! The few protocol-buffer messages of Anki's current package format, read by hand: the
//! package's `meta` (its version), the `media` list, and a note type's kind. Only the
//! wire format is needed (varints and length-delimited fields); unknown fields are
//! skipped, and malformed bytes are an error, never a panic.

/// One field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    /// A varint.
    Varint(u64),
    /// Bytes, a string or a nested message.
    Bytes(&'a [u8]),
    /// A fixed 32- or 64-bit value.
    Fixed(u64),
}

/// The message's fields in order, as (field number, value).
pub fn fields(mut bytes: &[u8]) -> Option<Vec<(u64, Value<'_>)>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let key = varint(&mut bytes)?;
        let number = key >> 3;
        let value = match key & 7 {
            0 => Value::Varint(varint(&mut bytes)?),
            1 => {
                let (head, rest) = bytes.split_at_checked(8)?;
                bytes = rest;
                let mut b = [0_u8; 8];
                b.copy_from_slice(head);
                Value::Fixed(u64::from_le_bytes(b))
            }
            2 => {
                let len = usize::try_from(varint(&mut bytes)?).ok()?;
                let (head, rest) = bytes.split_at_checked(len)?;
                bytes = rest;
                Value::Bytes(head)
            }
            5 => {
                let (head, rest) = bytes.split_at_checked(4)?;
                bytes = rest;
                let mut b = [0_u8; 4];
                b.copy_from_slice(head);
                Value::Fixed(u64::from(u32::from_le_bytes(b)))
            }
            _ => return None,
        };
        out.push((number, value));
    }
    Some(out)
}

fn varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    for shift in 0..10 {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(b & 0x7f) << (shift * 7);
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// The first varint of field `number` (0 when absent, as protobuf defaults).
pub fn varint_field(message: &[u8], number: u64) -> Option<u64> {
    let fields = fields(message)?;
    Some(
        fields
            .iter()
            .find_map(|(n, v)| match v {
                Value::Varint(x) if *n == number => Some(*x),
                _ => None,
            })
            .unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_varints_and_nested_messages() {
        // field 1 = 3; field 2 = "ab"; field 255 = 7
        let bytes = [0x08, 0x03, 0x12, 0x02, b'a', b'b', 0xf8, 0x0f, 0x07];
        let f = fields(&bytes).unwrap_or_default();
        assert_eq!(
            f,
            [
                (1, Value::Varint(3)),
                (2, Value::Bytes(b"ab")),
                (255, Value::Varint(7))
            ]
        );
        assert_eq!(varint_field(&bytes, 1), Some(3));
        assert_eq!(varint_field(&bytes, 9), Some(0));
        assert_eq!(fields(&[0x12, 0x05, b'a']), None);
    }

    proptest! {
        #[test]
        fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = fields(&bytes);
        }
    }
}
