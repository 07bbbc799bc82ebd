-- CreateTable
CREATE TABLE "CalendarImport" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "report" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CalendarImport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CalendarImport_userId_idx" ON "CalendarImport"("userId");

-- CreateIndex
CREATE INDEX "CalendarImport_createdAt_idx" ON "CalendarImport"("createdAt");

-- AddForeignKey
ALTER TABLE "CalendarImport" ADD CONSTRAINT "CalendarImport_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

