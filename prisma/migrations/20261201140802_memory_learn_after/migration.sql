-- AlterTable
ALTER TABLE "ChatSettings" ADD COLUMN     "memoryLearnAfter" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "memoryLearnAfter" TIMESTAMP(3),
ADD COLUMN     "summaryFailedFromId" TEXT,
ADD COLUMN     "summaryFailures" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "InstanceSettings" ADD COLUMN     "memoryLearnAfter" TIMESTAMP(3);

