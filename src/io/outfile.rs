//! Every file pkt writes goes through here, with one rule (the README's "Output files"):
//!
//! - `-` is standard output;
//! - an existing path that is not a regular file (a FIFO, a character or block device) is opened
//!   and written in place, never replaced; a socket or a directory is refused;
//! - a symlink is followed: the data goes to its target, the link stays (as tcpdump does);
//! - a regular file or a new path, for a finite output ([`Mode::Finite`]: `write`, `craft -w`,
//!   `read -w`), is written to a temporary file created exclusively beside the target under an
//!   unpredictable name, then renamed over the target by [`OutFile::commit`]: an error (or a
//!   dropped `OutFile`) leaves the old file as it was and no temporary behind; the new file keeps
//!   the old one's permissions (a new one gets 0666 less the umask);
//! - a live output ([`Mode::Live`]: `sniff -w`) is written in place, so it can be watched as it
//!   grows.
//!
//! Under `sudo` (root, with `SUDO_UID`/`SUDO_GID` of another user) the file is created, opened
//! and renamed as that user, with that user's groups, so it belongs to them and a path they could
//! not write is refused rather than written as root. A process that already dropped root (`sniff`
//! after opening its capture) opens as whoever it is.

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// How an output regular file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Written whole, then put in place at once (temporary file and rename).
    Finite,
    /// Written in place as it grows (a live capture).
    Live,
}

/// Why an output could not be opened or written: the path as the user gave it, and the reason.
#[derive(Debug)]
pub struct OutError {
    pub path: String,
    pub why: String,
    /// The OS error, kept only for standard output, so a closed pipe stays a quiet success.
    pub source: Option<io::Error>,
}

impl std::fmt::Display for OutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.why)
    }
}

impl std::error::Error for OutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

impl OutError {
    fn new(path: &str, why: impl Into<String>) -> OutError {
        OutError {
            path: path.to_string(),
            why: why.into(),
            source: None,
        }
    }

    /// An I/O error on `path`: its OS text; on standard output the error itself is kept too.
    pub fn io(path: &str, e: io::Error) -> OutError {
        let why = e.to_string();
        OutError {
            path: path.to_string(),
            why,
            source: (path == "-").then_some(e),
        }
    }
}

/// An output opened by [`OutFile::create`]; [`Write`] goes straight to the file (buffer it).
pub struct OutFile {
    path: String,
    target: Target,
}

enum Target {
    /// Standard output, or a file, FIFO or device written in place.
    Direct(File),
    /// A temporary file beside `dest`, renamed over it on commit.
    Temp {
        tmp: tempfile::NamedTempFile,
        dest: PathBuf,
    },
}

impl OutFile {
    /// Opens the output `path` names (`-`: standard output) under the rule above.
    pub fn create(path: &str, mode: Mode) -> Result<OutFile, OutError> {
        if path == "-" {
            use std::os::fd::AsFd;
            let f = io::stdout()
                .as_fd()
                .try_clone_to_owned()
                .map(File::from)
                .map_err(|e| OutError::io(path, e))?;
            return Ok(OutFile {
                path: path.into(),
                target: Target::Direct(f),
            });
        }
        if path.is_empty() {
            return Err(OutError::new(path, "an output file needs a name"));
        }
        let _as_user = AsInvokingUser::enter().map_err(|e| OutError::io(path, e))?;
        let dest = resolve_links(Path::new(path)).map_err(|e| OutError::io(path, e))?;
        let meta = match std::fs::metadata(&dest) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(OutError::io(path, e)),
        };
        let target = match meta {
            Some(m) if m.is_dir() => return Err(OutError::new(path, "is a directory")),
            Some(m) if m.file_type().is_socket() => {
                return Err(OutError::new(
                    path,
                    "is a socket; pkt writes to files, FIFOs and devices",
                ));
            }
            Some(m) if !m.is_file() => {
                // A FIFO or a device: written in place (opening a FIFO waits for its reader).
                let f = OpenOptions::new()
                    .write(true)
                    .open(&dest)
                    .map_err(|e| OutError::io(path, e))?;
                Target::Direct(f)
            }
            Some(_) if !writable(&dest) => {
                return Err(OutError::new(
                    path,
                    "is read-only (Permission denied); pkt does not replace a file it may not write",
                ));
            }
            _ if mode == Mode::Live => {
                let f = OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o666)
                    .open(&dest)
                    .map_err(|e| OutError::io(path, e))?;
                Target::Direct(f)
            }
            existing => {
                let dir = match dest.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                if !dir.is_dir() {
                    return Err(OutError::new(
                        path,
                        format!(
                            "No such file or directory (there is no directory {})",
                            dir.display()
                        ),
                    ));
                }
                let name = dest.file_name().map(|n| n.to_string_lossy().into_owned());
                let prefix = format!(".{}.", name.as_deref().unwrap_or("pkt"));
                // The new file's permissions: the old one's, or 0666 less the umask (as
                // open(2) would give a new file).
                let mode = existing
                    .as_ref()
                    .map_or(0o666, |m| m.permissions().mode() & 0o7777);
                let tmp = tempfile::Builder::new()
                    .prefix(&prefix)
                    .suffix(".tmp")
                    .permissions(std::fs::Permissions::from_mode(mode))
                    .tempfile_in(&dir)
                    .map_err(|e| {
                        OutError::new(
                            path,
                            format!("cannot create a file in {}: {}", dir.display(), bare(&e)),
                        )
                    })?;
                if existing.is_some() {
                    // Exactly the old mode (the umask applied at creation).
                    let _ = tmp
                        .as_file()
                        .set_permissions(std::fs::Permissions::from_mode(mode));
                }
                Target::Temp { tmp, dest }
            }
        };
        Ok(OutFile {
            path: path.into(),
            target,
        })
    }

    /// The path as given.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn file(&mut self) -> &mut File {
        match &mut self.target {
            Target::Direct(f) => f,
            Target::Temp { tmp, .. } => tmp.as_file_mut(),
        }
    }

    /// Puts a finite output in place (the rename); the others are closed. Call it after the
    /// last write, once flushed: an `OutFile` dropped without it leaves the target as it was.
    pub fn commit(self) -> Result<(), OutError> {
        let path = self.path;
        match self.target {
            Target::Direct(f) => close(f).map_err(|e| OutError::io(&path, e)),
            Target::Temp { tmp, dest } => {
                let _as_user = AsInvokingUser::enter().map_err(|e| OutError::io(&path, e))?;
                tmp.persist(&dest)
                    .map(|_| ())
                    .map_err(|e| OutError::io(&path, e.error))
            }
        }
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file().flush()
    }
}

/// Closes a file and reports what close(2) says (an NFS or FUSE write error can wait for it).
fn close(f: File) -> io::Result<()> {
    use std::os::fd::IntoRawFd;
    let fd = f.into_raw_fd();
    // SAFETY: the descriptor was owned by `f` and is closed once.
    if unsafe { libc::close(fd) } != 0 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EINTR) {
            return Err(e);
        }
    }
    Ok(())
}

/// An error's text without the temporary file's name tempfile adds to it.
fn bare(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" at path ") {
        Some(k) => s[..k].to_string(),
        None => s,
    }
}

/// Follows symlinks from `path` to the file they name (which may not exist yet), as open(2)
/// would; at most 40 links, as the kernel.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)?;
                p = if to.is_absolute() {
                    to
                } else {
                    p.parent().unwrap_or(Path::new("")).join(to)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::from_raw_os_error(libc::ELOOP))
}

/// Whether this process (its effective ids) may write the file.
fn writable(p: &Path) -> bool {
    let Ok(c) = CString::new(p.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a NUL-terminated path.
    unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::W_OK, libc::AT_EACCESS) == 0 }
}

/// While alive, under sudo as root: the effective user, group and groups of the user who ran
/// sudo, so files are created and checked as theirs. Elsewhere nothing changes.
pub struct AsInvokingUser {
    saved_groups: Option<Vec<libc::gid_t>>,
}

impl AsInvokingUser {
    pub fn enter() -> io::Result<AsInvokingUser> {
        let none = AsInvokingUser { saved_groups: None };
        let Some((uid, gid)) = super::sudo_ids() else {
            return Ok(none);
        };
        // SAFETY: plain system calls on ids and a buffer of the size asked.
        unsafe {
            let n = libc::getgroups(0, std::ptr::null_mut());
            let mut saved = vec![0 as libc::gid_t; n.max(0) as usize];
            if n > 0 && libc::getgroups(n, saved.as_mut_ptr()) < 0 {
                return Err(io::Error::last_os_error());
            }
            let groups = super::user_groups(uid, gid);
            if libc::setgroups(groups.len(), groups.as_ptr()) != 0
                || libc::setegid(gid) != 0
                || libc::seteuid(uid) != 0
            {
                let e = io::Error::last_os_error();
                restore(&saved);
                return Err(e);
            }
            Ok(AsInvokingUser {
                saved_groups: Some(saved),
            })
        }
    }
}

/// Back to root: the user first (it gives back the right to change the rest).
fn restore(groups: &[libc::gid_t]) {
    // SAFETY: plain system calls; the saved real and saved-set ids are still root.
    unsafe {
        libc::seteuid(0);
        libc::setegid(0);
        libc::setgroups(groups.len(), groups.as_ptr());
    }
}

impl Drop for AsInvokingUser {
    fn drop(&mut self) {
        if let Some(g) = &self.saved_groups {
            restore(g);
        }
    }
}
