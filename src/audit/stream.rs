//! Reading a captured NDJSON stream one line at a time, in bounded memory.
//!
//! In: a file path, `-` for standard input, or a `.gz` file (decompressed on the fly). Out:
//! numbered lines, each either its bytes or — when it is longer than the limit — only its
//! length. An oversized line is skipped chunk by chunk as it streams past and is never held
//! in memory, so the largest buffer is the line limit, whatever the input.

use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Read buffer size: large enough that most payload lines are found in one `fill_buf`.
const BUFFER: usize = 256 * 1024;

/// One line of the stream (without its `\n` or `\r\n`).
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    Text(&'a [u8]),
    /// Longer than the limit; its bytes were skipped. `length` is the full length.
    TooLong {
        length: u64,
    },
}

/// Numbered lines of a stream, each at most `max` bytes long.
pub struct Lines<R> {
    reader: R,
    /// A line that spans two reads of the reader, put together.
    buf: Vec<u8>,
    max: usize,
    number: usize,
    /// The bytes of the last line returned, still in the reader's buffer (a line found
    /// whole there is lent out as is, not copied), to be consumed before the next one.
    pending: usize,
}

/// Open a payload stream: `-` is standard input; a name ending in `.gz` is gunzipped
/// (concatenated gzip members included, as log rotation writes them).
pub fn open(path: &str) -> io::Result<Box<dyn BufRead>> {
    if path == "-" {
        return Ok(Box::new(BufReader::with_capacity(BUFFER, io::stdin())));
    }
    let file = File::open(Path::new(path))?;
    if path.ends_with(".gz") {
        let decoder: Box<dyn Read> = Box::new(MultiGzDecoder::new(BufReader::new(file)));
        Ok(Box::new(BufReader::with_capacity(BUFFER, decoder)))
    } else {
        Ok(Box::new(BufReader::with_capacity(BUFFER, file)))
    }
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R, max: usize) -> Lines<R> {
        Lines {
            reader,
            buf: Vec::new(),
            max,
            number: 0,
            pending: 0,
        }
    }

    /// The next line and its 1-based number, or `None` at the end of the stream.
    pub fn next_line(&mut self) -> io::Result<Option<(usize, Line<'_>)>> {
        self.reader.consume(std::mem::take(&mut self.pending));
        // Most lines are whole in the reader's buffer: lent from there.
        let whole = loop {
            match self.reader.fill_buf() {
                Ok(available) => {
                    break memchr::memchr(b'\n', available).filter(|&end| end <= self.max);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if let Some(end) = whole {
            self.pending = end + 1;
            self.number += 1;
            let available = self.reader.fill_buf()?;
            let line = &available[..end];
            return Ok(Some((
                self.number,
                Line::Text(line.strip_suffix(b"\r").unwrap_or(line)),
            )));
        }
        self.buf.clear();
        let mut length: u64 = 0;
        let mut too_long = false;
        let mut started = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                if !started {
                    return Ok(None);
                }
                break;
            }
            started = true;
            let newline = memchr::memchr(b'\n', available);
            let chunk = &available[..newline.unwrap_or(available.len())];
            length += chunk.len() as u64;
            if !too_long {
                if self.buf.len() + chunk.len() > self.max {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(chunk);
                }
            }
            let consumed = newline.map_or(chunk.len(), |i| i + 1);
            self.reader.consume(consumed);
            if newline.is_some() {
                break;
            }
        }
        self.number += 1;
        if too_long {
            return Ok(Some((self.number, Line::TooLong { length })));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(Some((self.number, Line::Text(&self.buf))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8], max: usize, capacity: usize) -> Vec<(usize, String)> {
        let reader = BufReader::with_capacity(capacity, input);
        let mut lines = Lines::new(reader, max);
        let mut out = Vec::new();
        while let Some((n, line)) = lines.next_line().unwrap() {
            out.push((
                n,
                match line {
                    Line::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    Line::TooLong { length } => format!("<{length} bytes>"),
                },
            ));
        }
        out
    }

    #[test]
    fn lines_are_numbered_and_oversized_ones_skipped_across_buffer_refills() {
        let input = b"{\"a\":1}\r\n0123456789abcdef\n\nlast";
        // A 4-byte read buffer makes every line span several refills.
        let got = collect(input, 10, 4);
        let expected = [
            (1, "{\"a\":1}".to_owned()),
            (2, "<16 bytes>".to_owned()),
            (3, String::new()),
            (4, "last".to_owned()),
        ];
        assert_eq!(got, expected);
        assert_eq!(collect(input, 10, 1 << 16), expected);
    }

    #[test]
    fn an_empty_stream_has_no_lines() {
        assert!(collect(b"", 10, 4).is_empty());
        assert_eq!(collect(b"\n", 10, 4), [(1, String::new())]);
    }
}
