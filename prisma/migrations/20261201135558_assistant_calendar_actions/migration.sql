-- CreateEnum
CREATE TYPE "CalendarActionKind" AS ENUM ('create', 'update', 'delete');

-- CreateEnum
CREATE TYPE "CalendarActionStatus" AS ENUM ('pending', 'confirmed', 'cancelled', 'undone');

-- CreateTable
CREATE TABLE "CalendarAction" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "kind" "CalendarActionKind" NOT NULL,
    "status" "CalendarActionStatus" NOT NULL DEFAULT 'pending',
    "input" JSONB NOT NULL,
    "preview" JSONB NOT NULL,
    "eventId" TEXT,
    "undo" JSONB,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CalendarAction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CalendarAction_messageId_idx" ON "CalendarAction"("messageId");

-- CreateIndex
CREATE INDEX "CalendarAction_userId_createdAt_idx" ON "CalendarAction"("userId", "createdAt");

-- AddForeignKey
ALTER TABLE "CalendarAction" ADD CONSTRAINT "CalendarAction_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CalendarAction" ADD CONSTRAINT "CalendarAction_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

