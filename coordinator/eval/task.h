/* task.h: evaluation tasks (DESIGN.md "Evaluation").
 *
 * A Task is loaded from a spec "KIND:FILE", holds its items in memory, and is
 * scored through a Runner:
 *
 *   Task *t = task_load("mc:tasks/painters-demo/cloze.jsonl", &(TaskLoadOptions){.limit = 200});
 *   TaskResult res;
 *   task_evaluate(t, runner, tokenizer, &(TaskEvalOptions){0}, &res);
 *   task_free(t);
 *
 * Kinds (the protocol of each is in README.md "Evaluation"):
 *   ppl        text file, one document per non-blank line; perplexity. With
 *              chunk_ctx N: the whole file as llama-perplexity scores it
 *   mc         JSONL {context, choices, gold}; acc, acc_norm
 *   gen        JSONL {prompt, answer}; greedy decoding, exact_match
 *   arc        Hugging Face ARC rows {question, choices{text,label}, answerKey}
 *   hellaswag  HF rows {activity_label, ctx_a, ctx_b | ctx, endings, label}
 *   winogrande HF rows {sentence with "_", option1, option2, answer}
 *   lambada    HF rows {text}; acc (greedy target) and perplexity
 *   gsm8k      HF rows {question, answer "... #### n"}; exact_match
 *              (strict-match) and exact_match_flexible (flexible-extract)
 *
 * Scoring of choices and documents goes through runner_score_batch, many
 * sequences per call; generation runs one item at a time with the KV cache.
 *
 * Malformed input (a bad JSON line, a missing or wrong-typed field, a gold
 * index out of range, text that is not UTF-8, ...) is die_input naming
 * FILE:LINE and the reason; with skip_bad such lines are skipped and counted.
 *
 * This header gathers what callers outside eval/ use: task_items.h (Task,
 * its kinds and items), task_load.h (task_load), task_result.h (TaskResult,
 * TaskEvalOptions), task_evaluate.h (task_evaluate) and task_generation.h
 * (the generation defaults). Inside eval/ the modules depend one way:
 *   task_items                  Task and its item storage
 *   task_records -> items       one JSONL record into an item
 *   task_load    -> items, records
 *   task_result                 TaskResult, TaskEvalOptions
 *   task_perplexity, task_choice, task_generation -> items, result
 *   task_evaluate -> items, result, the three scorers */
#ifndef PAINTERS_TASK_H
#define PAINTERS_TASK_H

#include "eval/task_items.h"
#include "eval/task_load.h"
#include "eval/task_result.h"
#include "eval/task_generation.h"
#include "eval/task_evaluate.h"

#endif
