// SPDX-License-Identifier: MIT
//! libpt's peer libraries on the rows of bench/peers/libpt_rows.c, with the
//! same method: one pre-faulted 64 MiB arena, a bump frame allocator reset
//! before every run, tables reached at PA + a constant offset (a direct
//! map), no TLB work, mappings at VA 1 GiB -> PA 2 GiB, flags read+write.
//!
//! `peers <library> [reps [row]]` runs every row (or the one named) `reps`
//! times (rows interleaved) in this one process and prints, per row, the
//! fastest run in ns per unit and the units: `<row> <ns> <units>`. A row a
//! library has no call for is not printed. bench/peers/run.sh interleaves
//! the processes and keeps the fastest; its `icount` mode counts the
//! instructions of `timed` (the measured part) under callgrind.

use std::alloc::{alloc, Layout};
use std::cell::Cell;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

const ARENA_BYTES: usize = 64 << 20;
/// The PA of the arena's first frame: 1 TiB (above every mapped PA, inside
/// every PA width), or the arena's host address where that is lower (under
/// valgrind), so that the direct map's offset is never negative: the
/// x86_64 crate takes it as a VirtAddr and adds PAs to it.
const ARENA_PA_MAX: usize = 1 << 40;
const PAGE: usize = 4096;
const VA: usize = 1 << 30;
const PA: usize = 2 << 30;
const GIB: usize = 1 << 30;
const PAGES_1G: usize = GIB / PAGE;
const CALLS: usize = 4096;

/// Host address and PA of the arena, and the next free frame's index.
/// Atomics only because page_table_multiarch's hooks are free functions;
/// relaxed loads and stores are plain moves.
static ARENA_VA: AtomicUsize = AtomicUsize::new(0);
static ARENA_PA: AtomicUsize = AtomicUsize::new(0);
static NEXT: AtomicUsize = AtomicUsize::new(0);

fn arena_init() {
    let layout = Layout::from_size_align(ARENA_BYTES, 1 << 21).unwrap();
    let p = unsafe { alloc(layout) };
    assert!(!p.is_null());
    for off in (0..ARENA_BYTES).step_by(PAGE) {
        unsafe { p.add(off).write_volatile(0) };
    }
    ARENA_VA.store(p as usize, Relaxed);
    ARENA_PA.store(ARENA_PA_MAX.min(p as usize), Relaxed);
}

fn offset() -> usize {
    ARENA_VA.load(Relaxed) - ARENA_PA.load(Relaxed)
}

fn bump_reset() {
    NEXT.store(0, Relaxed);
}

/// `count` frames aligned to `align` bytes (a power of two of 4K or more);
/// not zeroed: every library zeroes its new tables itself (aarch64-paging's
/// Translation hook is asked for zeroed pages, so that hook zeroes).
#[inline]
fn bump_alloc(count: usize, align: usize) -> usize {
    let a = (align / PAGE).max(1);
    let i = (NEXT.load(Relaxed) + a - 1) & !(a - 1);
    assert!((i + count) * PAGE <= ARENA_BYTES, "arena exhausted");
    NEXT.store(i + count, Relaxed);
    ARENA_PA.load(Relaxed) + i * PAGE
}

/// The random query addresses: the xorshift64 sequence libpt_rows.c uses.
fn query_vas() -> Vec<usize> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..CALLS)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            VA + ((x >> 12) as usize % PAGES_1G) * PAGE + (x as usize & (PAGE - 1))
        })
        .collect()
}

/// The rows, in libpt_rows.c's order and with its names and units.
const ROWS: [(&str, usize); 11] = [
    ("map_region_4k_1g", PAGES_1G),
    ("protect_region_4k_1g", PAGES_1G),
    ("unmap_region_4k_1g", PAGES_1G),
    ("map_4k_x4096", CALLS),
    ("query_x4096", CALLS),
    ("map_region_2m_1g", 512),
    ("map_region_1g_64g", 64),
    ("unmap_4k_x4096", CALLS),
    ("protect_4k_x4096", CALLS),
    ("walk_4k_1g", PAGES_1G),
    ("walk_sum_4k_1g", PAGES_1G),
];

/// One library: fresh() makes an empty table in a reset arena, setup(row)
/// puts down what the row needs (not timed), run(row) is the timed part:
/// None for a row the library has no call for, else the sum of the PAs a
/// query row found (0 for the others). census(window) counts the leaves in
/// [VA, VA + window) by the library's own lookup or walk, after a run.
trait Lib {
    fn fresh(&mut self);
    fn setup(&mut self, row: usize);
    fn run(&mut self, row: usize, vas: &[usize]) -> Option<usize>;
    fn census(&self, window: usize) -> Census;
}

/// Leaves of 4K, 2M and 1G, and how many of them are read-only.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Census {
    k4: usize,
    m2: usize,
    g1: usize,
    ro: usize,
}

impl Census {
    fn add(&mut self, size: usize, writable: bool) {
        match size {
            PAGE => self.k4 += 1,
            M2 => self.m2 += 1,
            GIB => self.g1 += 1,
            _ => panic!("leaf of {size:#x} bytes"),
        }
        self.ro += !writable as usize;
    }
}

const M2: usize = 2 << 20;

/// What each row leaves in the table, and the window that holds it: a run
/// that did less (or other) than its row says fails the process.
fn expected(row: usize) -> (usize, Census) {
    let c = |k4, m2, g1, ro| Census { k4, m2, g1, ro };
    match row {
        0 | 4 | 9 | 10 => (GIB, c(PAGES_1G, 0, 0, 0)),
        1 => (GIB, c(PAGES_1G, 0, 0, PAGES_1G)),
        2 | 7 => (GIB, c(0, 0, 0, 0)),
        3 => (GIB, c(CALLS, 0, 0, 0)),
        5 => (GIB, c(0, 512, 0, 0)),
        6 => (64 * GIB, c(0, 0, 64, 0)),
        8 => (GIB, c(CALLS, 0, 0, CALLS)),
        _ => unreachable!(),
    }
}

/// The measured part of a run, out of line so that callgrind can count it
/// alone (--toggle-collect).
#[inline(never)]
fn timed(lib: &mut dyn Lib, row: usize, vas: &[usize]) -> Option<usize> {
    lib.run(row, vas)
}

fn measure(lib: &mut dyn Lib, reps: usize, only: Option<&str>) {
    let vas = query_vas();
    let mut best = [f64::INFINITY; ROWS.len()];
    let mut have = [false; ROWS.len()];
    let query_sum = vas
        .iter()
        .fold(0usize, |s, &va| s.wrapping_add(va - VA + PA));
    let walk_sum = PAGES_1G * PA + PAGE * (PAGES_1G * (PAGES_1G - 1) / 2);
    for rep in 0..reps {
        for (row, &(name, units)) in ROWS.iter().enumerate() {
            if only.is_some_and(|o| o != name) {
                continue;
            }
            bump_reset();
            lib.fresh();
            lib.setup(row);
            let t0 = Instant::now();
            let out = timed(lib, row, &vas);
            let ns = t0.elapsed().as_nanos() as f64;
            let Some(sum) = out else { continue };
            have[row] = true;
            best[row] = best[row].min(ns / units as f64);
            if rep == 0 {
                let (window, want) = expected(row);
                let got = lib.census(window);
                assert_eq!(got, want, "{name}: the table after the run");
                assert!(row != 4 || sum == query_sum, "{name}: wrong PAs");
                assert!(row != 10 || sum == walk_sum, "{name}: wrong PAs");
            }
        }
    }
    for (row, &(name, units)) in ROWS.iter().enumerate() {
        if have[row] {
            println!("{name} {:.4} {units}", best[row]);
        }
    }
}

// ---- page_table_multiarch, x86-64 entries ----------------------------------

mod ptm {
    use super::*;
    use memory_addr::{PhysAddr, VirtAddr};
    use page_table_entry::x86_64::X64PTE;
    use page_table_entry::{GenericPTE, MappingFlags};
    use page_table_multiarch::{PageSize, PageTable64, PagingHandler, PagingMetaData};

    pub struct Hooks;
    impl PagingHandler for Hooks {
        fn alloc_frames(num: usize, align: usize) -> Option<PhysAddr> {
            Some(PhysAddr::from(bump_alloc(num, align)))
        }
        fn dealloc_frames(_: PhysAddr, _: usize) {}
        fn phys_to_virt(pa: PhysAddr) -> VirtAddr {
            VirtAddr::from(pa.as_usize().wrapping_add(offset()))
        }
    }

    /// The crate's X64PagingMetaData with the TLB flush left out: invlpg
    /// faults in user mode, and no row does TLB work.
    pub struct Meta;
    impl PagingMetaData for Meta {
        const LEVELS: usize = 4;
        const PA_MAX_BITS: usize = 52;
        const VA_MAX_BITS: usize = 48;
        type VirtAddr = VirtAddr;
        fn flush_tlb(_: Option<VirtAddr>) {}
    }

    type Table = PageTable64<Meta, X64PTE, Hooks>;

    pub struct Ptm(Option<Table>);
    impl Ptm {
        pub fn new() -> Self {
            Ptm(None)
        }
        fn t(&mut self) -> &mut Table {
            self.0.as_mut().unwrap()
        }
    }

    const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);
    const RO: MappingFlags = MappingFlags::READ;

    fn map_1g(t: &mut Table, pa: usize, size: usize, huge: bool) {
        t.cursor()
            .map_region(
                VirtAddr::from(VA),
                |v| PhysAddr::from(v.as_usize() - VA + pa),
                size,
                RW,
                huge,
            )
            .unwrap();
    }

    impl Lib for Ptm {
        fn fresh(&mut self) {
            // The old table's frames are the reset arena's now: no drop.
            if let Some(t) = self.0.take() {
                std::mem::forget(t);
            }
            self.0 = Some(Table::try_new().unwrap());
        }
        fn setup(&mut self, row: usize) {
            match row {
                1 | 2 | 4 | 9 | 10 => map_1g(self.t(), PA, GIB, false),
                7 | 8 => map_1g(self.t(), PA, CALLS * PAGE, false),
                _ => {}
            }
        }
        fn run(&mut self, row: usize, vas: &[usize]) -> Option<usize> {
            let t = self.t();
            match row {
                0 => map_1g(t, PA, GIB, false),
                1 => t
                    .cursor()
                    .protect_region(VirtAddr::from(VA), GIB, RO)
                    .unwrap(),
                2 => t.cursor().unmap_region(VirtAddr::from(VA), GIB).unwrap(),
                3 => {
                    let mut c = t.cursor();
                    for i in 0..CALLS {
                        c.map(
                            VirtAddr::from(VA + i * PAGE),
                            PhysAddr::from(PA + i * PAGE),
                            PageSize::Size4K,
                            RW,
                        )
                        .unwrap();
                    }
                }
                4 => {
                    let mut sum = 0usize;
                    for &va in vas {
                        sum = sum.wrapping_add(t.query(VirtAddr::from(va)).unwrap().0.as_usize());
                    }
                    return Some(black_box(sum));
                }
                // PA 2 MiB past a 1G boundary: 2M leaves only.
                5 => map_1g(t, PA + (2 << 20), GIB, true),
                6 => map_1g(t, PA, 64 * GIB, true),
                7 => {
                    let mut c = t.cursor();
                    for i in 0..CALLS {
                        c.unmap(VirtAddr::from(VA + i * PAGE)).unwrap();
                    }
                }
                8 => {
                    let mut c = t.cursor();
                    for i in 0..CALLS {
                        c.protect(VirtAddr::from(VA + i * PAGE), RO).unwrap();
                    }
                }
                9 => {
                    let n = Cell::new(0usize);
                    let leaf = |level: usize, _: usize, _: VirtAddr, e: &X64PTE| {
                        if level == 3 || e.is_huge() {
                            n.set(n.get() + 1);
                        }
                    };
                    t.walk(usize::MAX, Some(&leaf), None);
                    assert_eq!(n.get(), PAGES_1G);
                }
                10 => {
                    let (n, s) = (Cell::new(0usize), Cell::new(0usize));
                    let leaf = |level: usize, _: usize, _: VirtAddr, e: &X64PTE| {
                        if level == 3 || e.is_huge() {
                            n.set(n.get() + 1);
                            s.set(s.get().wrapping_add(e.paddr().as_usize()));
                        }
                    };
                    t.walk(usize::MAX, Some(&leaf), None);
                    assert_eq!(n.get(), PAGES_1G);
                    return Some(s.get());
                }
                _ => return None,
            }
            Some(0)
        }
        fn census(&self, window: usize) -> Census {
            let t = self.0.as_ref().unwrap();
            let mut c = Census::default();
            let mut va = VA;
            while va < VA + window {
                match t.query(VirtAddr::from(va)) {
                    Ok((_, flags, size)) => {
                        c.add(size as usize, flags.contains(MappingFlags::WRITE));
                        va += size as usize;
                    }
                    Err(_) => va += PAGE,
                }
            }
            c
        }
    }
}

// ---- the x86_64 crate, OffsetPageTable --------------------------------------

mod x64 {
    use super::*;
    use x86_64::structures::paging::mapper::{Mapper, Translate, TranslateResult};
    use x86_64::structures::paging::{
        FrameAllocator, OffsetPageTable, Page, PageTable, PageTableFlags as F, PhysFrame, Size1GiB,
        Size2MiB, Size4KiB,
    };
    use x86_64::{PhysAddr, VirtAddr};

    struct Bump;
    unsafe impl FrameAllocator<Size4KiB> for Bump {
        fn allocate_frame(&mut self) -> Option<PhysFrame<Size4KiB>> {
            Some(PhysFrame::containing_address(PhysAddr::new(
                bump_alloc(1, PAGE) as u64,
            )))
        }
    }

    pub struct X64(Option<OffsetPageTable<'static>>);
    impl X64 {
        pub fn new() -> Self {
            X64(None)
        }
    }

    const RW: F = F::PRESENT.union(F::WRITABLE);
    const RO: F = F::PRESENT;

    fn page(va: usize) -> Page<Size4KiB> {
        Page::containing_address(VirtAddr::new(va as u64))
    }

    /// The crate has no region calls: a region is a loop of page calls.
    fn map_4k(t: &mut OffsetPageTable, pages: usize) {
        for i in 0..pages {
            let f =
                PhysFrame::<Size4KiB>::containing_address(PhysAddr::new((PA + i * PAGE) as u64));
            unsafe { t.map_to(page(VA + i * PAGE), f, RW, &mut Bump) }
                .unwrap()
                .ignore();
        }
    }

    impl Lib for X64 {
        fn fresh(&mut self) {
            let pa = bump_alloc(1, PAGE);
            let root = (pa + offset()) as *mut PageTable;
            unsafe {
                root.write(PageTable::new());
                self.0 = Some(OffsetPageTable::new(
                    &mut *root,
                    VirtAddr::new(offset() as u64),
                ));
            }
        }
        fn setup(&mut self, row: usize) {
            let t = self.0.as_mut().unwrap();
            match row {
                1 | 2 | 4 => map_4k(t, PAGES_1G),
                7 | 8 => map_4k(t, CALLS),
                _ => {}
            }
        }
        fn run(&mut self, row: usize, vas: &[usize]) -> Option<usize> {
            let t = self.0.as_mut().unwrap();
            match row {
                0 => map_4k(t, PAGES_1G),
                1 => {
                    for i in 0..PAGES_1G {
                        unsafe { t.update_flags(page(VA + i * PAGE), RO) }
                            .unwrap()
                            .ignore();
                    }
                }
                2 => {
                    for i in 0..PAGES_1G {
                        t.unmap(page(VA + i * PAGE)).unwrap().1.ignore();
                    }
                }
                3 => map_4k(t, CALLS),
                4 => {
                    let mut sum = 0usize;
                    for &va in vas {
                        let pa = t.translate_addr(VirtAddr::new(va as u64)).unwrap();
                        sum = sum.wrapping_add(pa.as_u64() as usize);
                    }
                    return Some(black_box(sum));
                }
                5 => {
                    for i in 0..512 {
                        let p = Page::<Size2MiB>::containing_address(VirtAddr::new(
                            (VA + (i << 21)) as u64,
                        ));
                        let f = PhysFrame::<Size2MiB>::containing_address(PhysAddr::new(
                            (PA + (2 << 20) + (i << 21)) as u64,
                        ));
                        unsafe { t.map_to(p, f, RW, &mut Bump) }.unwrap().ignore();
                    }
                }
                6 => {
                    for i in 0..64 {
                        let p = Page::<Size1GiB>::containing_address(VirtAddr::new(
                            (VA + i * GIB) as u64,
                        ));
                        let f = PhysFrame::<Size1GiB>::containing_address(PhysAddr::new(
                            (PA + i * GIB) as u64,
                        ));
                        unsafe { t.map_to(p, f, RW, &mut Bump) }.unwrap().ignore();
                    }
                }
                7 => {
                    for i in 0..CALLS {
                        t.unmap(page(VA + i * PAGE)).unwrap().1.ignore();
                    }
                }
                8 => {
                    for i in 0..CALLS {
                        unsafe { t.update_flags(page(VA + i * PAGE), RO) }
                            .unwrap()
                            .ignore();
                    }
                }
                _ => return None,
            }
            Some(0)
        }
        fn census(&self, window: usize) -> Census {
            let t = self.0.as_ref().unwrap();
            let mut c = Census::default();
            let mut va = VA;
            while va < VA + window {
                match t.translate(VirtAddr::new(va as u64)) {
                    TranslateResult::Mapped { frame, flags, .. } => {
                        let size = frame.size() as usize;
                        c.add(size, flags.contains(F::WRITABLE));
                        va += size;
                    }
                    _ => va += PAGE,
                }
            }
            c
        }
    }
}

// ---- aarch64-paging, EL1&0 stage 1, 4K granule, 4 levels -------------------

mod a64 {
    use super::*;
    use aarch64_paging::descriptor::{El1Attributes as A, PhysicalAddress};
    use aarch64_paging::paging::{
        Constraints, El1And0, MemoryRegion, PageTable, Translation, VaRange,
    };
    use aarch64_paging::Mapping;
    use std::ptr::NonNull;

    pub struct Tr;
    impl Translation<A> for Tr {
        fn allocate_table(&mut self) -> (NonNull<PageTable<A>>, PhysicalAddress) {
            let pa = bump_alloc(1, PAGE);
            let p = (pa + offset()) as *mut u8;
            unsafe { p.write_bytes(0, PAGE) };
            (
                NonNull::new(p as *mut PageTable<A>).unwrap(),
                PhysicalAddress(pa),
            )
        }
        unsafe fn deallocate_table(&mut self, _: NonNull<PageTable<A>>) {}
        fn physical_to_virtual(&self, pa: PhysicalAddress) -> NonNull<PageTable<A>> {
            NonNull::new(pa.0.wrapping_add(offset()) as *mut PageTable<A>).unwrap()
        }
    }

    type Map = Mapping<Tr, El1And0>;
    pub struct A64(Option<Map>);
    impl A64 {
        pub fn new() -> Self {
            A64(None)
        }
    }

    /// Normal memory (MAIR index 0 here), inner shareable, accessed: what
    /// libpt's AArch64 encoder writes for read+write, near enough.
    const RW: A = A::VALID
        .union(A::ATTRIBUTE_INDEX_0)
        .union(A::INNER_SHAREABLE)
        .union(A::ACCESSED)
        .union(A::NON_GLOBAL);
    const PAGES_ONLY: Constraints = Constraints::NO_BLOCK_MAPPINGS;

    fn region(va: usize, size: usize) -> MemoryRegion {
        MemoryRegion::new(va, va + size)
    }

    fn map(m: &mut Map, va: usize, pa: usize, size: usize, c: Constraints) {
        m.map_range(&region(va, size), PhysicalAddress(pa), RW, c)
            .unwrap();
    }

    fn protect(m: &mut Map, va: usize, size: usize) {
        m.modify_range(&region(va, size), &|_, d| {
            d.modify_flags(A::READ_ONLY, A::empty())
        })
        .unwrap();
    }

    /// Unmapping is a map_range whose flags lack VALID.
    fn unmap(m: &mut Map, va: usize, size: usize) {
        m.map_range(
            &region(va, size),
            PhysicalAddress(0),
            A::empty(),
            PAGES_ONLY,
        )
        .unwrap();
    }

    impl Lib for A64 {
        fn fresh(&mut self) {
            if let Some(m) = self.0.take() {
                std::mem::forget(m);
            }
            self.0 = Some(Map::with_asid_and_va_range(
                Tr,
                1,
                0,
                El1And0,
                VaRange::Lower,
            ));
        }
        fn setup(&mut self, row: usize) {
            let m = self.0.as_mut().unwrap();
            match row {
                1 | 2 | 4 | 9 | 10 => map(m, VA, PA, GIB, PAGES_ONLY),
                7 | 8 => map(m, VA, PA, CALLS * PAGE, PAGES_ONLY),
                _ => {}
            }
        }
        fn run(&mut self, row: usize, vas: &[usize]) -> Option<usize> {
            let m = self.0.as_mut().unwrap();
            match row {
                0 => map(m, VA, PA, GIB, PAGES_ONLY),
                1 => protect(m, VA, GIB),
                2 => unmap(m, VA, GIB),
                3 => {
                    for i in 0..CALLS {
                        map(m, VA + i * PAGE, PA + i * PAGE, PAGE, PAGES_ONLY);
                    }
                }
                4 => {
                    // No lookup call: a walk of the one page holding va.
                    let mut sum = 0usize;
                    for &va in vas {
                        let mut pa = 0usize;
                        m.walk_range(&region(va & !(PAGE - 1), PAGE), &mut |mr, d, _| {
                            if !d.is_valid() {
                                return Err(());
                            }
                            pa = d.output_address().0 + (va - mr.start().0);
                            Ok(())
                        })
                        .unwrap();
                        sum = sum.wrapping_add(pa);
                    }
                    return Some(black_box(sum));
                }
                5 => map(m, VA, PA + (2 << 20), GIB, Constraints::empty()),
                6 => map(m, VA, PA, 64 * GIB, Constraints::empty()),
                7 => {
                    for i in 0..CALLS {
                        unmap(m, VA + i * PAGE, PAGE);
                    }
                }
                8 => {
                    for i in 0..CALLS {
                        protect(m, VA + i * PAGE, PAGE);
                    }
                }
                9 => {
                    let mut n = 0usize;
                    m.walk_range(&region(VA, GIB), &mut |_, d, level| {
                        if d.is_valid() && level == 3 {
                            n += 1;
                        }
                        Ok(())
                    })
                    .unwrap();
                    assert_eq!(black_box(n), PAGES_1G);
                }
                10 => {
                    let (mut n, mut s) = (0usize, 0usize);
                    m.walk_range(&region(VA, GIB), &mut |_, d, level| {
                        if d.is_valid() && level == 3 {
                            n += 1;
                            s = s.wrapping_add(d.output_address().0);
                        }
                        Ok(())
                    })
                    .unwrap();
                    assert_eq!(black_box(n), PAGES_1G);
                    return Some(s);
                }
                _ => return None,
            }
            Some(0)
        }
        fn census(&self, window: usize) -> Census {
            let m = self.0.as_ref().unwrap();
            let mut c = Census::default();
            m.walk_range(&region(VA, window), &mut |_, d, level| {
                if d.is_valid() {
                    let size = [0, GIB, M2, PAGE][level];
                    c.add(size, !d.flags().contains(A::READ_ONLY));
                }
                Ok(())
            })
            .unwrap();
            c
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reps: usize = args.get(2).map_or(1, |s| s.parse().expect("reps"));
    arena_init();
    let mut lib: Box<dyn Lib> = match args.get(1).map(String::as_str) {
        Some("page_table_multiarch") => Box::new(ptm::Ptm::new()),
        Some("x86_64") => Box::new(x64::X64::new()),
        Some("aarch64-paging") => Box::new(a64::A64::new()),
        _ => {
            eprintln!("usage: peers page_table_multiarch|x86_64|aarch64-paging [reps [row]]");
            std::process::exit(2);
        }
    };
    let only = args.get(3).map(String::as_str);
    assert!(
        only.is_none_or(|o| ROWS.iter().any(|r| r.0 == o)),
        "no row {only:?}"
    );
    measure(lib.as_mut(), reps, only);
}
