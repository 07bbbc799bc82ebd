-- CreateEnum
CREATE TYPE "FactKind" AS ENUM ('identity', 'professional', 'personal', 'context');

-- CreateEnum
CREATE TYPE "SelfMemoryCategory" AS ENUM ('identity', 'milestone', 'observation', 'preference', 'relationship');

-- CreateEnum
CREATE TYPE "ProposalStatus" AS ENUM ('proposed', 'accepted', 'edited', 'rejected');

-- CreateEnum
CREATE TYPE "ProposalType" AS ENUM ('fact', 'preference');

-- AlterTable
ALTER TABLE "ChatSettings" ADD COLUMN     "memoryAutoAccept" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "memoryEnabled" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "memoryEnabled" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "MemoryFact" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "kind" "FactKind" NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "sourceMessageId" TEXT,
    "history" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MemoryFact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MemoryPreference" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "sourceMessageId" TEXT,
    "history" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MemoryPreference_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AssistantMemory" (
    "id" TEXT NOT NULL,
    "category" "SelfMemoryCategory" NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "importance" INTEGER NOT NULL DEFAULT 5,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AssistantMemory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MemoryProposal" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "conversationId" TEXT,
    "sourceMessageId" TEXT,
    "type" "ProposalType" NOT NULL,
    "kind" "FactKind",
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "importance" INTEGER NOT NULL,
    "status" "ProposalStatus" NOT NULL DEFAULT 'proposed',
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MemoryProposal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConversationSummary" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "topics" TEXT[],
    "keyFacts" TEXT[],
    "searchText" TEXT NOT NULL,
    "fromMessageId" TEXT NOT NULL,
    "throughMessageId" TEXT NOT NULL,
    "throughMessageAt" TIMESTAMP(3) NOT NULL,
    "messageCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConversationSummary_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReplyPrompt" (
    "messageId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "sections" JSONB NOT NULL,
    "memories" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReplyPrompt_pkey" PRIMARY KEY ("messageId")
);

-- CreateTable
CREATE TABLE "InstanceSettings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "memoryEnabled" BOOLEAN NOT NULL DEFAULT true,
    "relevantSummaries" INTEGER NOT NULL DEFAULT 3,
    "extractionInputTokens" INTEGER NOT NULL DEFAULT 4000,
    "summaryIdleMinutes" INTEGER NOT NULL DEFAULT 10,
    "autoAcceptMinConfidence" DOUBLE PRECISION NOT NULL DEFAULT 0.8,
    "autoAcceptMinImportance" INTEGER NOT NULL DEFAULT 7,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "InstanceSettings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "MemoryFact_userId_kind_key_key" ON "MemoryFact"("userId", "kind", "key");

-- CreateIndex
CREATE UNIQUE INDEX "MemoryPreference_userId_key_key" ON "MemoryPreference"("userId", "key");

-- CreateIndex
CREATE UNIQUE INDEX "AssistantMemory_category_key_key" ON "AssistantMemory"("category", "key");

-- CreateIndex
CREATE INDEX "MemoryProposal_userId_status_createdAt_idx" ON "MemoryProposal"("userId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "ConversationSummary_conversationId_throughMessageAt_idx" ON "ConversationSummary"("conversationId", "throughMessageAt" DESC);

-- CreateIndex
CREATE INDEX "ConversationSummary_userId_createdAt_idx" ON "ConversationSummary"("userId", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "ConversationSummary_conversationId_throughMessageId_key" ON "ConversationSummary"("conversationId", "throughMessageId");

-- CreateIndex
CREATE INDEX "ReplyPrompt_userId_idx" ON "ReplyPrompt"("userId");

-- AddForeignKey
ALTER TABLE "MemoryFact" ADD CONSTRAINT "MemoryFact_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemoryFact" ADD CONSTRAINT "MemoryFact_sourceMessageId_fkey" FOREIGN KEY ("sourceMessageId") REFERENCES "Message"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemoryPreference" ADD CONSTRAINT "MemoryPreference_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemoryPreference" ADD CONSTRAINT "MemoryPreference_sourceMessageId_fkey" FOREIGN KEY ("sourceMessageId") REFERENCES "Message"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemoryProposal" ADD CONSTRAINT "MemoryProposal_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemoryProposal" ADD CONSTRAINT "MemoryProposal_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemoryProposal" ADD CONSTRAINT "MemoryProposal_sourceMessageId_fkey" FOREIGN KEY ("sourceMessageId") REFERENCES "Message"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationSummary" ADD CONSTRAINT "ConversationSummary_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationSummary" ADD CONSTRAINT "ConversationSummary_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReplyPrompt" ADD CONSTRAINT "ReplyPrompt_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReplyPrompt" ADD CONSTRAINT "ReplyPrompt_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Custom SQL (not expressible in schema.prisma).
-- Relevant summaries: a full-text match of the new message against summary, topics and key facts.
-- Queries must use this exact expression. 'english' (unlike chat_search's 'simple'): stop words such as
-- "the" would otherwise match, and be ranked in, every summary a person has.
CREATE INDEX "ConversationSummary_search_fts_idx" ON "ConversationSummary"
  USING GIN (to_tsvector('english', "searchText"));

