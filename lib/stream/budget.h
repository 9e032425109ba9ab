/* The reader's decoding memory budget (area-internal): a ProtobufCAllocator that
 * counts what protobuf-c allocates for unpacked messages and refuses past a limit,
 * so no content, however it decodes, costs more than the limit. */
#ifndef BTR_STREAM_BUDGET_H
#define BTR_STREAM_BUDGET_H
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

struct btr_budget {
	ProtobufCAllocator a;   /* hand &a to protobuf-c (allocator_data points back here) */
	size_t limit, used, peak;
	int refused;            /* an allocation was refused for the budget */
	int nomem;              /* malloc itself failed */
};

void btr_budget_init(struct btr_budget *b, size_t limit);
#endif
