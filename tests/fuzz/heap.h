/* Fuzz oracle for memory: the peak of live heap bytes between heap_mark() and
 * heap_peak(), seen through the sanitizer's malloc and free hooks, so it counts every
 * allocation, also those that bypass the reader's budget.  Single-threaded code only. */
#ifndef BTR_FUZZ_HEAP_H
#define BTR_FUZZ_HEAP_H
#include <sanitizer/allocator_interface.h>
#include <stddef.h>

static size_t heap_live, heap_top;

static void heap_on_malloc(const volatile void *p, size_t n)
{
	(void)p;
	heap_live += n;
	if (heap_live > heap_top)
		heap_top = heap_live;
}

static void heap_on_free(const volatile void *p)
{
	size_t n = p ? __sanitizer_get_allocated_size((const void *)p) : 0;
	heap_live = n < heap_live ? heap_live - n : 0;
}

/* Starts a measurement (installs the hooks on first use); returns the bytes live now. */
static size_t heap_mark(void)
{
	static int installed;
	if (!installed) {
		__sanitizer_install_malloc_and_free_hooks(heap_on_malloc, heap_on_free);
		installed = 1;
	}
	heap_top = heap_live;
	return heap_live;
}

/* The most bytes live at once since heap_mark(), above what was live then. */
static size_t heap_peak(size_t live_at_mark)
{
	return heap_top - live_at_mark;
}
#endif
